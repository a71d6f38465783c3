package form

import (
	"context"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/tangram/tangram/engine/script"
)

// The names a formula reads that are neither fields of its form nor
// globals of the sandbox: a typo, or a field not added yet. Formulas are
// compiled in strict mode over the field keys they name, so such a name
// compiles and only fails, with a ReferenceError, on the records whose
// evaluation reaches it; the builder's trial reports it up front instead.

// freeNames lists the identifiers expr reads that it does not bind itself
// (arrow function parameters, destructuring targets, labels), sorted. Only
// identifiers in reading positions count: `a.b` reads a, `{b: a}` reads
// a, `o[b]` reads o and b. expr must already compile as a formula.
func freeNames(expr string) []string {
	prog, err := parser.ParseFile(nil, "", "(\n"+expr+"\n)", 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil
	}
	w := nameWalker{refs: map[string]bool{}, bound: map[string]bool{}}
	w.walk(reflect.ValueOf(prog.Body), false)
	var out []string
	for n := range w.refs {
		if !w.bound[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// nameWalker collects identifiers from a goja AST by reflection: goja has
// no visitor, and a hand-written switch over its ~60 node types would
// silently miss the ones added by its next version. The few node types
// where an identifier is not a read are handled by name.
type nameWalker struct {
	refs, bound map[string]bool
}

var identType = reflect.TypeFor[ast.Identifier]()

// bindingFields are struct fields whose identifiers are declared, not read.
var bindingFields = map[string]bool{"Target": true, "Label": true, "Parameter": true, "Rest": true, "Name": true}

func (w *nameWalker) walk(v reflect.Value, binding bool) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			w.walk(v.Elem(), binding)
		}
	case reflect.Slice:
		for i := range v.Len() {
			w.walk(v.Index(i), binding)
		}
	case reflect.Struct:
		w.walkStruct(v, binding)
	}
}

func (w *nameWalker) walkStruct(v reflect.Value, binding bool) {
	if !v.CanAddr() { // a struct held by value in an interface
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	if v.Type() == identType {
		s := v.Addr().Interface().(*ast.Identifier).Name.String()
		if binding {
			w.bound[s] = true
		} else {
			w.refs[s] = true
		}
		return
	}
	switch n := v.Addr().Interface().(type) {
	case *ast.DotExpression:
		w.walk(reflect.ValueOf(n.Left), binding) // .Identifier is a property name
		return
	case *ast.PrivateDotExpression:
		w.walk(reflect.ValueOf(n.Left), binding)
		return
	case *ast.PropertyKeyed:
		if n.Computed {
			w.walk(reflect.ValueOf(n.Key), binding)
		}
		w.walk(reflect.ValueOf(n.Value), binding)
		return
	case *ast.PropertyShort:
		// {a} reads a in an object literal and binds it in a pattern.
		w.walkStruct(reflect.ValueOf(&n.Name).Elem(), binding)
		w.walk(reflect.ValueOf(n.Initializer), false)
		return
	case *ast.Binding:
		w.walk(reflect.ValueOf(n.Target), true)
		w.walk(reflect.ValueOf(n.Initializer), false)
		return
	case *ast.MetaProperty:
		return // new.target, import.meta
	}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		w.walk(v.Field(i), binding || bindingFields[sf.Name])
	}
}

// sandboxGlobals reports which of names the sandbox defines (the formula
// standard library, Math, Date...), by asking the sandbox itself: typeof
// of an undeclared name is "undefined" even in strict mode, so one
// evaluation answers for every name and no list is kept by hand.
func sandboxGlobals(ctx context.Context, eng *script.Engine, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(names) == 0 {
		return out, nil
	}
	var b strings.Builder
	b.WriteString("[")
	for i, n := range names {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("typeof " + n)
	}
	b.WriteString("]")
	fm, err := script.CompileFormula(b.String(), nil)
	if err != nil {
		return nil, err
	}
	v, err := eng.EvalFormula(ctx, fm)
	if err != nil {
		return nil, err
	}
	list, _ := v.([]any)
	for i, n := range names {
		// undefined is the one global whose typeof is "undefined".
		if (i < len(list) && list[i] != "undefined") || n == "undefined" {
			out[n] = true
		}
	}
	return out, nil
}

// quoteNames renders names for a message: "a", "b".
func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
