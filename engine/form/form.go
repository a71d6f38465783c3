package form

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// System fields every record carries. Field keys in a form start with a
// letter, so these never clash with user fields.
const (
	SysID        = "_id"
	SysVersion   = "_version"   // revision, starts at 1; the ETag of the record
	SysCreatedAt = "_createdAt" // query.FormatTime
	SysUpdatedAt = "_updatedAt"
	SysCreatedBy = "_createdBy" // principal actor
	SysUpdatedBy = "_updatedBy"
	SysState     = "_state"   // workflow state
	SysDeleted   = "_deleted" // soft delete
)

// systemFields are the filterable system paths.
var systemFields = []query.Field{
	{Path: SysID, Kind: query.KindString},
	{Path: SysVersion, Kind: query.KindInt},
	{Path: SysCreatedAt, Kind: query.KindTime},
	{Path: SysUpdatedAt, Kind: query.KindTime},
	{Path: SysCreatedBy, Kind: query.KindString},
	{Path: SysUpdatedBy, Kind: query.KindString},
	{Path: SysState, Kind: query.KindString},
	{Path: SysDeleted, Kind: query.KindBool},
	fFiles,
}

var (
	fID      = query.Field{Path: SysID, Kind: query.KindString}
	fVersion = query.Field{Path: SysVersion, Kind: query.KindInt}
	fDeleted = query.Field{Path: SysDeleted, Kind: query.KindBool}
)

// Form is a published form definition compiled for the records service:
// its fields with their types, the paths filters may name, the conditions
// and computations to run on every write. Forms are immutable once
// compiled and shared by concurrent requests.
type Form struct {
	App        string
	Key        string
	Version    int // the published definition's version
	Title      json.RawMessage
	TitleField string
	Coll       string // records collection
	HistColl   string // history collection

	Fields  []*Field // top-level fields, in definition order
	byKey   map[string]*Field
	types   map[string]FieldType
	stored  map[string]Stored
	QFields query.Fields // paths a filter, sort or aggregation may name
	ops     map[string][]query.Op

	computed     map[string]bool        // keys clients cannot write
	virtual      map[string]bool        // keys resolved on read, never stored
	requiredWhen map[string]*query.Node // conditional required-ness
	visibleWhen  map[string]*query.Node // conditional visibility
	unique       []string               // keys with unique values
	defaults     map[string]*defaultValueDef
	formulas     []*formulaDef // in dependency order
	autoNumbers  []*autoNumberDef
	relations    map[string]*relationDef // relation fields by key
	lookups      []*lookupDef
	rollups      []*rollupDef
	text         []string // default search fields
}

// Field returns the top-level field with key.
func (f *Form) Field(key string) (*Field, bool) {
	fd, ok := f.byKey[key]
	return fd, ok
}

// Type returns the registered type of a top-level field.
func (f *Form) Type(key string) (FieldType, bool) {
	t, ok := f.types[key]
	return t, ok
}

// Computed reports whether clients may not write key (formula, lookup,
// rollup, auto-number).
func (f *Form) Computed(key string) bool { return f.computed[key] }

// SearchFields lists the fields searched by default: the text-like ones.
func (f *Form) SearchFields() []string { return append([]string(nil), f.text...) }

// formSpec is the part of a form definition the engine reads; field
// settings specific to a type stay in each Field's Raw.
type formSpec struct {
	Title      json.RawMessage   `json:"title"`
	TitleField string            `json:"titleField"`
	Fields     []json.RawMessage `json:"fields"`
}

// DecodeFields reads a definition's fields array, keeping each field's
// whole JSON object in Raw (sub-table columns too) for its type to read.
func DecodeFields(raw []json.RawMessage) ([]*Field, error) {
	out := make([]*Field, 0, len(raw))
	for i, r := range raw {
		var fd Field
		if err := json.Unmarshal(r, &fd); err != nil {
			return nil, fmt.Errorf("fields[%d]: %w", i, err)
		}
		fd.Raw = append(json.RawMessage(nil), bytes.TrimSpace(r)...)
		var sub struct {
			Fields []json.RawMessage `json:"fields"`
		}
		if err := json.Unmarshal(r, &sub); err != nil {
			return nil, fmt.Errorf("fields[%d]: %w", i, err)
		}
		cols, err := DecodeFields(sub.Fields)
		if err != nil {
			return nil, fmt.Errorf("fields[%d].%w", i, err)
		}
		fd.Fields = cols
		out = append(out, &fd)
	}
	return out, nil
}

// Compile builds the runtime form of a published form definition. A
// definition that passed meta validation compiles; an error here means the
// definition and the registered field types disagree (a plugin type was
// removed), which is an internal error for the caller.
func Compile(def meta.Definition) (*Form, error) {
	var spec formSpec
	if err := json.Unmarshal(def.Spec, &spec); err != nil {
		return nil, compileErr(def, err)
	}
	fields, err := DecodeFields(spec.Fields)
	if err != nil {
		return nil, compileErr(def, err)
	}
	f := &Form{
		App: def.App, Key: def.Key, Version: def.Version, Title: spec.Title, TitleField: spec.TitleField,
		Coll: RecordsCollection(def.App, def.Key), HistColl: HistoryCollection(def.App, def.Key),
		Fields: fields, byKey: map[string]*Field{}, types: map[string]FieldType{}, stored: map[string]Stored{},
		QFields: query.NewFields(systemFields...), ops: map[string][]query.Op{},
		computed: map[string]bool{}, virtual: map[string]bool{}, requiredWhen: map[string]*query.Node{},
		visibleWhen: map[string]*query.Node{},
		defaults:    map[string]*defaultValueDef{}, relations: map[string]*relationDef{},
	}
	for _, fd := range fields {
		t, ok := LookupFieldType(fd.Type)
		if !ok {
			return nil, compileErr(def, fmt.Errorf("field %q has the unregistered type %q", fd.Key, fd.Type))
		}
		f.byKey[fd.Key], f.types[fd.Key] = fd, t
	}
	for _, fd := range fields {
		if err := f.compileField(fd); err != nil {
			return nil, compileErr(def, fmt.Errorf("field %q: %w", fd.Key, err))
		}
	}
	// Conditions may name any field, so they are parsed once all are known.
	for _, fd := range fields {
		for _, c := range []struct {
			raw  json.RawMessage
			name string
			into map[string]*query.Node
		}{{fd.RequiredWhen, "requiredWhen", f.requiredWhen}, {fd.VisibleWhen, "visibleWhen", f.visibleWhen}} {
			if len(c.raw) == 0 {
				continue
			}
			n, err := query.ParseFilter(c.raw, f.QFields, query.Options{Root: fd.Key + "." + c.name})
			if err != nil {
				return nil, compileErr(def, err)
			}
			if n != nil {
				c.into[fd.Key] = n
			}
		}
	}
	if bad := f.compileDefaults(); len(bad) > 0 {
		return nil, compileErr(def, fmt.Errorf("field %q: %w", bad[0].key, bad[0].err))
	}
	if err := f.orderFormulas(); err != nil {
		return nil, compileErr(def, err)
	}
	return f, nil
}

func compileErr(def meta.Definition, err error) error {
	return errs.Wrap(err, errs.Internal, "record.form_invalid", "form %q of app %q (version %d) cannot be used", def.Key, def.App, def.Version)
}

// compileField registers one top-level field: its stored shape and
// filterable paths, and the computation its type asks for.
func (f *Form) compileField(fd *Field) error {
	t := f.types[fd.Key]
	if c, ok := t.(Computed); ok && c.Computed() {
		f.computed[fd.Key] = true
	}
	if err := f.compileBehaviour(fd); err != nil {
		return err
	}
	if f.virtual[fd.Key] {
		return nil
	}
	st := t.Stored(fd)
	f.stored[fd.Key] = st
	f.QFields[fd.Key] = query.Field{Path: fd.Key, Kind: st.Kind, Array: st.Array}
	if st.Ops != nil {
		f.ops[fd.Key] = st.Ops
	}
	for _, sub := range st.Sub {
		p := fd.Key + "." + sub.Path
		if query.ValidPath(p) {
			f.QFields[p] = query.Field{Path: p, Kind: sub.Kind, Array: sub.Array || st.Array}
		}
	}
	if fd.Unique {
		f.unique = append(f.unique, fd.Key)
	}
	if st.Kind == query.KindString && !st.Array && searchableTypes[fd.Type] {
		f.text = append(f.text, fd.Key)
	}
	return nil
}

// searchableTypes are the types searched by default: free text a person would
// type into a search box. Option codes and record ids are not.
var searchableTypes = map[string]bool{
	"text": true, "textarea": true, "phone": true, "email": true, "idcard": true, "autonumber": true,
}

// Indexes are the store indexes of the records collection: the change
// order, the creation order, relation fields (a parent's children are
// listed, and its rollups aggregated, by the relation field) and unique
// fields (records are looked up by them: a member by phone at the POS, an
// import's upsert key). Uniqueness itself is kept by claims, not by these
// indexes (see records_unique.go).
func (f *Form) Indexes() []store.Index {
	idx := []store.Index{
		{Name: "updated_at", Fields: []string{SysUpdatedAt}},
		{Name: "created_at", Fields: []string{SysCreatedAt}},
	}
	for _, fd := range f.Fields {
		if _, ok := f.relations[fd.Key]; ok {
			idx = append(idx, store.Index{Name: indexName("rel", fd.Key), Fields: []string{fd.Key}})
		} else if fd.Unique && !f.virtual[fd.Key] {
			idx = append(idx, store.Index{Name: indexName("key", fd.Key), Fields: []string{fd.Key}})
		}
	}
	return idx
}

// indexName makes a valid, stable index name for a field key: index names
// are lowercase, keys may not be, so a hash of the exact key keeps "aB"
// and "ab" apart.
func indexName(prefix, key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	lower := strings.ToLower(key)
	if len(lower) > 40 {
		lower = lower[:40]
	}
	return fmt.Sprintf("%s_%s_%08x", prefix, lower, h.Sum32())
}

func init() { meta.AddCheck(meta.KindForm, CheckSpec) }

// CheckSpec checks what the form meta-schema cannot and only the form
// engine knows, for meta validation (it runs on every save): each field's
// type is registered and accepts the field's settings; conditions name
// fields of the form; formulas compile and do not depend on themselves;
// lookups follow a relation field of the form; defaults are valid values.
// Like every meta check it tolerates malformed specs (the schema reports
// those). Paths are relative to the spec.
func CheckSpec(spec json.RawMessage) []errs.FieldError {
	var s formSpec
	_ = json.Unmarshal(spec, &s)
	f := &Form{byKey: map[string]*Field{}, types: map[string]FieldType{}, stored: map[string]Stored{},
		QFields: query.NewFields(systemFields...), ops: map[string][]query.Op{}, computed: map[string]bool{},
		virtual: map[string]bool{}, requiredWhen: map[string]*query.Node{}, visibleWhen: map[string]*query.Node{},
		defaults: map[string]*defaultValueDef{}, relations: map[string]*relationDef{}}
	var fe []errs.FieldError
	var fields []*Field
	paths := map[string]string{}
	for i, raw := range s.Fields {
		path := fmt.Sprintf("fields[%d]", i)
		list, err := DecodeFields([]json.RawMessage{raw})
		if err != nil || list[0].Key == "" {
			continue
		}
		fd := list[0]
		t, ok := LookupFieldType(fd.Type)
		if !ok {
			fe = append(fe, errs.FieldError{Path: path + ".type", Code: "form.unknown_type",
				Message: fmt.Sprintf("unknown field type %q (known: %s)", fd.Type, strings.Join(FieldTypeKeys(), ", "))})
			continue
		}
		for _, e := range t.Check(fd) {
			e.Path = joinRel(path, e.Path)
			fe = append(fe, e)
		}
		fields = append(fields, fd)
		f.byKey[fd.Key], f.types[fd.Key], paths[fd.Key] = fd, t, path
	}
	for _, fd := range fields {
		if err := f.compileField(fd); err != nil {
			fe = append(fe, settingsErrors(paths[fd.Key], err)...)
		}
	}
	f.Fields = fields
	for _, fd := range fields {
		for _, c := range []struct {
			raw  json.RawMessage
			name string
		}{{fd.RequiredWhen, "requiredWhen"}, {fd.VisibleWhen, "visibleWhen"}} {
			if len(c.raw) == 0 {
				continue
			}
			if _, err := query.ParseFilter(c.raw, f.QFields, query.Options{Root: paths[fd.Key] + "." + c.name}); err != nil {
				fe = append(fe, settingsErrors("", err)...)
			}
		}
	}
	for _, lk := range f.lookups {
		if _, ok := f.relations[lk.relation]; !ok {
			fe = append(fe, errs.FieldError{Path: paths[lk.key] + ".relation", Code: "form.lookup_relation",
				Message: fmt.Sprintf("%q is not a relation field of this form", lk.relation)})
		}
	}
	for _, b := range f.compileDefaults() {
		fe = append(fe, settingsErrors(paths[b.key], b.err)...)
	}
	if err := f.orderFormulas(); err != nil {
		fe = append(fe, errs.FieldError{Path: "fields", Code: "form.formula_cycle", Message: err.Error()})
	}
	return fe
}

// settingsErrors turns a compile error into field errors under base.
func settingsErrors(base string, err error) []errs.FieldError {
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		out := make([]errs.FieldError, len(e.Fields))
		for i, f := range e.Fields {
			f.Path = joinRel(base, f.Path)
			out[i] = f
		}
		return out
	}
	return []errs.FieldError{{Path: base, Code: "form.settings", Message: err.Error()}}
}

func joinRel(base, rel string) string {
	switch {
	case base == "":
		return rel
	case rel == "":
		return base
	case strings.HasPrefix(rel, "["):
		return base + rel
	}
	return base + "." + rel
}
