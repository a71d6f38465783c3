package query_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// testFields is the field list the parser tests run against: one field of
// every kind, list fields, and a nested path.
var testFields = query.NewFields(
	query.Field{Path: "name", Kind: query.KindString},
	query.Field{Path: "unit", Kind: query.KindString},
	query.Field{Path: "n", Kind: query.KindInt},
	query.Field{Path: "price", Kind: query.KindDecimal},
	query.Field{Path: "vip", Kind: query.KindBool},
	query.Field{Path: "birthday", Kind: query.KindDate},
	query.Field{Path: "paidAt", Kind: query.KindTime},
	query.Field{Path: "tags", Kind: query.KindString, Array: true},
	query.Field{Path: "scores", Kind: query.KindInt, Array: true},
	query.Field{Path: "a.b.c", Kind: query.KindString},
)

// show renders a filter AST compactly, e.g. and(eq(name,"x"),gt(n,5)), so
// table tests can state the expected tree as one readable string.
func show(n *query.Node) string {
	if n == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(string(n.Op))
	b.WriteString("(")
	switch n.Op {
	case query.OpAnd, query.OpOr, query.OpNot:
		for i, c := range n.Children {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(show(c))
		}
	case query.OpIn, query.OpNin:
		b.WriteString(n.Field.Path)
		b.WriteString(",[")
		for i, v := range n.Values {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(showValue(v))
		}
		b.WriteString("]")
	default:
		b.WriteString(n.Field.Path)
		b.WriteString(",")
		b.WriteString(showValue(n.Value))
	}
	b.WriteString(")")
	return b.String()
}

func showValue(v query.Value) string {
	if v.Null {
		return "null:" + string(v.Kind)
	}
	switch v.Kind {
	case query.KindString, query.KindDate, query.KindTime:
		return fmt.Sprintf("%q", v.Str)
	case query.KindDecimal:
		return "d" + v.Str
	case query.KindInt:
		return fmt.Sprint(v.Int)
	case query.KindBool:
		return fmt.Sprint(v.Bool)
	}
	return "?" + string(v.Kind)
}

// fieldErr is one expected (path, code) pair of a validation error.
type fieldErr struct{ path, code string }

// checkErr asserts err is an *errs.Error of class Invalid with the given
// top-level code and exactly the given field errors (path and code), in
// path order. want may be empty for errors without fields.
func checkErr(t *testing.T, err error, code string, want ...fieldErr) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s %v, got nil", code, want)
	}
	e, ok := err.(*errs.Error)
	if !ok {
		t.Fatalf("want *errs.Error, got %T: %v", err, err)
	}
	if e.Code != code {
		t.Errorf("code = %q, want %q (%v)", e.Code, code, err)
	}
	if e.Class != errs.Invalid {
		t.Errorf("class = %v, want Invalid (%v)", e.Class, err)
	}
	var got []fieldErr
	for _, f := range e.Fields {
		got = append(got, fieldErr{f.Path, f.Code})
		if f.Message == "" {
			t.Errorf("field error at %s has no message", f.Path)
		}
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("field errors\n got: %v\nwant: %v\n(%v)", got, want, err)
	}
}
