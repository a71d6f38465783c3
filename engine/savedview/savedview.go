// Package savedview keeps users' own list views of a form: a name, a
// filter in the query language, a sort, columns and a layout (table,
// kanban, calendar), plus the client's own state for the view (the filter
// builder's tree, so "last 7 days" stays relative). A view belongs to the
// user who saved it; only they see it, unless they share it, and then
// everyone who may read the form sees it while only the owner (or an
// administrator) may change or delete it.
//
// Views are stored through the store port in one collection. Each owner
// has at most MaxPerForm views per form, enforced by a unique index on
// (app, form, owner, slot) with slots 0..MaxPerForm-1: two concurrent
// creates that pick the same free slot collide in the index and the loser
// takes the next one, so the bound holds on every backend without a
// transaction or a lock.
//
// The package checks the shape of a view; checking its filter, sort and
// columns against the form and the caller's rights is the caller's job
// (the records service), done before Create and Update.
package savedview

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Bounds of a view and of the views of one owner.
const (
	MaxPerForm    = 100      // views per owner per form
	MaxName       = 100      // characters of a name
	MaxFilter     = 16 << 10 // bytes of the filter JSON
	MaxState      = 16 << 10 // bytes of the client state JSON
	MaxColumns    = 200      // columns listed
	MaxSort       = 500      // bytes of the sort
	MaxSearch     = 100      // characters of the search text
	maxShared     = 1000     // shared views listed per form
	collection    = "saved_views"
	insertRetries = MaxPerForm // every slot may be taken by a racing create once
)

// Layouts a view opens in.
const (
	ModeTable    = "table"
	ModeKanban   = "kanban"
	ModeCalendar = "calendar"
)

// Input is what a client sends to create or replace a view.
type Input struct {
	Name      string          `json:"name"`
	Filter    json.RawMessage `json:"filter,omitempty"`
	Sort      string          `json:"sort,omitempty"`
	Columns   []string        `json:"columns,omitempty"`
	Mode      string          `json:"mode,omitempty"`
	GroupBy   string          `json:"groupBy,omitempty"`
	DateField string          `json:"dateField,omitempty"`
	Search    string          `json:"search,omitempty"`
	Shared    bool            `json:"shared,omitempty"`
	State     json.RawMessage `json:"state,omitempty"`
}

// View is a stored view.
type View struct {
	ID    string `json:"id"`
	App   string `json:"app"`
	Form  string `json:"form"`
	Owner string `json:"owner"`
	Input
	Version   int64  `json:"version"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// Errors of the service. Another user's private view is not found, never
// forbidden, so ids do not reveal other users' views.
var (
	ErrNotFound  = errs.New(errs.NotFound, "savedview.not_found", "no such saved view")
	ErrNotOwner  = errs.New(errs.Forbidden, "savedview.not_owner", "only the owner of a shared view may change it")
	ErrTooMany   = errs.New(errs.Unprocessable, "savedview.too_many", "at most 100 saved views per form; delete one first")
	ErrStale     = errs.New(errs.PreconditionErr, "savedview.stale", "the view changed since it was read")
	ErrInvalid   = errs.New(errs.Unprocessable, "savedview.invalid", "the view is invalid")
	errBusy      = errs.New(errs.Conflict, "savedview.busy", "too many concurrent changes; retry")
	fApp         = query.Field{Path: "app", Kind: query.KindString}
	fForm        = query.Field{Path: "form", Kind: query.KindString}
	fOwner       = query.Field{Path: "owner", Kind: query.KindString}
	fShared      = query.Field{Path: "shared", Kind: query.KindBool}
	fVersion     = query.Field{Path: "version", Kind: query.KindInt}
	fName        = query.Field{Path: "name", Kind: query.KindString}
	ownerIndexes = []store.Index{
		{Name: "saved_views_slot", Fields: []string{"app", "form", "owner", "slot"}, Unique: true},
		{Name: "saved_views_shared", Fields: []string{"app", "form", "shared"}},
	}
)

// Service stores saved views.
type Service struct {
	st  store.Store
	now func() time.Time
}

// New returns the service over st; call Init once before use.
func New(st store.Store) *Service { return &Service{st: st, now: time.Now} }

// Init creates the collection's indexes (the slot index is what bounds
// each owner's views).
func (s *Service) Init(ctx context.Context) error {
	return s.st.EnsureIndexes(ctx, collection, ownerIndexes)
}

// Viewer is who asks: the owner key of their views (a principal's actor),
// whether they administer the platform, and the language of messages
// ("zh-CN", the default, or "en").
type Viewer struct {
	Owner string
	Admin bool
	Lang  string
}

// List returns the viewer's own views of a form, by name, then the views
// others shared, by name.
func (s *Service) List(ctx context.Context, app, form string, v Viewer) ([]View, error) {
	scope := query.And(query.Eq(fApp, query.Str(app)), query.Eq(fForm, query.Str(form)))
	mine, err := s.st.Find(ctx, collection, store.Query{Filter: query.And(scope, query.Eq(fOwner, query.Str(v.Owner))),
		Sort: []query.SortKey{{Field: fName}}, Limit: MaxPerForm})
	if err != nil {
		return nil, err
	}
	shared, err := s.st.Find(ctx, collection, store.Query{Filter: query.And(scope, query.Eq(fShared, query.Bool(true)),
		query.Cmp(fOwner, query.OpNe, query.Str(v.Owner))), Sort: []query.SortKey{{Field: fName}}, Limit: maxShared})
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(mine)+len(shared))
	for _, d := range append(mine, shared...) {
		out = append(out, fromDoc(d))
	}
	return out, nil
}

// Get returns a view the viewer may see: their own, or a shared one.
func (s *Service) Get(ctx context.Context, app, form, id string, v Viewer) (View, error) {
	d, err := s.load(ctx, app, form, id, v)
	if err != nil {
		return View{}, err
	}
	if d.Owner != v.Owner && !d.Shared {
		return View{}, v.fail(ErrNotFound)
	}
	return d, nil
}

// Create stores a new view owned by v.
func (s *Service) Create(ctx context.Context, app, form string, v Viewer, in Input) (View, error) {
	in, err := Check(in, v.Lang)
	if err != nil {
		return View{}, err
	}
	now := query.FormatTime(s.now())
	doc := toDoc(in)
	doc["app"], doc["form"], doc["owner"] = app, form, v.Owner
	doc["version"], doc["createdAt"], doc["updatedAt"] = int64(1), now, now
	for range insertRetries {
		slot, err := s.freeSlot(ctx, app, form, v)
		if err != nil {
			return View{}, err
		}
		doc["slot"] = int64(slot)
		delete(doc, "_id")
		id, err := s.st.Insert(ctx, collection, doc)
		if errs.HasCode(err, store.ErrDuplicate.Code) {
			continue // a concurrent create took the slot: look again
		}
		if err != nil {
			return View{}, err
		}
		doc["_id"] = id
		return fromDoc(doc), nil
	}
	return View{}, v.fail(errBusy)
}

// freeSlot is the lowest slot the owner's views of the form do not use.
func (s *Service) freeSlot(ctx context.Context, app, form string, v Viewer) (int, error) {
	docs, err := s.st.Find(ctx, collection, store.Query{Filter: query.And(query.Eq(fApp, query.Str(app)),
		query.Eq(fForm, query.Str(form)), query.Eq(fOwner, query.Str(v.Owner))), Fields: []string{"slot"}, Limit: MaxPerForm + 1})
	if err != nil {
		return 0, err
	}
	used := make([]bool, MaxPerForm)
	for _, d := range docs {
		if n, ok := intOf(d["slot"]); ok && n >= 0 && n < MaxPerForm {
			used[n] = true
		}
	}
	for i, u := range used {
		if !u {
			return i, nil
		}
	}
	return 0, v.fail(ErrTooMany)
}

// Update replaces a view's content. ifMatch (0: any) is the version the
// change is based on.
func (s *Service) Update(ctx context.Context, app, form, id string, v Viewer, in Input, ifMatch int64) (View, error) {
	cur, err := s.writable(ctx, app, form, id, v)
	if err != nil {
		return View{}, err
	}
	if in, err = Check(in, v.Lang); err != nil {
		return View{}, err
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		return View{}, v.fail(ErrStale)
	}
	set := toDoc(in)
	set["updatedAt"] = query.FormatTime(s.now())
	var unset []string
	for _, k := range []string{"filter", "sort", "columns", "groupBy", "dateField", "search", "state"} {
		if _, ok := set[k]; !ok {
			unset = append(unset, k)
		}
	}
	doc, err := s.st.Update(ctx, collection, id, store.Patch{Set: set, Unset: unset, Inc: map[string]int64{"version": 1}},
		query.Eq(fVersion, query.Int(cur.Version)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return View{}, v.fail(ErrStale)
	}
	if err != nil {
		return View{}, err
	}
	return fromDoc(doc), nil
}

// Delete removes a view.
func (s *Service) Delete(ctx context.Context, app, form, id string, v Viewer) error {
	if _, err := s.writable(ctx, app, form, id, v); err != nil {
		return err
	}
	err := s.st.Delete(ctx, collection, id, nil)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return v.fail(ErrNotFound)
	}
	return err
}

// writable loads a view v may change: their own; a shared one of another
// user only for an administrator (others get ErrNotOwner, having seen it);
// another user's private view is not found.
func (s *Service) writable(ctx context.Context, app, form, id string, v Viewer) (View, error) {
	cur, err := s.Get(ctx, app, form, id, v)
	if err != nil {
		return View{}, err
	}
	if cur.Owner != v.Owner && !v.Admin {
		return View{}, v.fail(ErrNotOwner)
	}
	return cur, nil
}

func (s *Service) load(ctx context.Context, app, form, id string, vw Viewer) (View, error) {
	if id == "" || len(id) > 64 {
		return View{}, vw.fail(ErrNotFound)
	}
	d, err := s.st.Get(ctx, collection, id)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return View{}, vw.fail(ErrNotFound)
	}
	if err != nil {
		return View{}, err
	}
	v := fromDoc(d)
	if v.App != app || v.Form != form {
		return View{}, vw.fail(ErrNotFound)
	}
	return v, nil
}

// Check normalizes a view's content and checks its shape and bounds,
// reporting every problem with its path (422 savedview.invalid).
func Check(in Input, lang string) (Input, error) {
	var fe []errs.FieldError
	bad := func(path, key string) {
		fe = append(fe, errs.FieldError{Path: path, Code: ErrInvalid.Code, Message: msg(lang, key)})
	}
	in.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		bad("name", "name.required")
	case n > MaxName:
		bad("name", "name.long")
	}
	in.Filter = trimNull(in.Filter)
	if len(in.Filter) > MaxFilter {
		bad("filter", "filter.large")
	} else if len(in.Filter) > 0 && in.Filter[0] != '{' {
		bad("filter", "filter.object")
	}
	in.State = trimNull(in.State)
	if len(in.State) > MaxState {
		bad("state", "state.large")
	}
	if len(in.Sort) > MaxSort {
		bad("sort", "sort.long")
	}
	if utf8.RuneCountInString(in.Search) > MaxSearch {
		bad("search", "search.long")
	}
	if len(in.Columns) > MaxColumns {
		bad("columns", "columns.many")
	}
	switch in.Mode {
	case "":
		in.Mode = ModeTable
	case ModeTable, ModeKanban, ModeCalendar:
	default:
		bad("mode", "mode")
	}
	if in.Mode == ModeKanban && in.GroupBy == "" {
		bad("groupBy", "groupBy.required")
	}
	if in.Mode == ModeCalendar && in.DateField == "" {
		bad("dateField", "dateField.required")
	}
	if len(fe) > 0 {
		return in, &errs.Error{Class: ErrInvalid.Class, Code: ErrInvalid.Code, Msg: msg(lang, ErrInvalid.Code), Fields: fe}
	}
	return in, nil
}

func trimNull(raw json.RawMessage) json.RawMessage {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil
	}
	return json.RawMessage(s)
}

// toDoc is the stored form of in. The filter and the state are kept as
// JSON text: filters hold "$" operators, which MongoDB does not accept as
// field names everywhere.
func toDoc(in Input) store.Doc {
	d := store.Doc{"name": in.Name, "mode": in.Mode, "shared": in.Shared}
	if len(in.Filter) > 0 {
		d["filter"] = string(in.Filter)
	}
	if len(in.State) > 0 {
		d["state"] = string(in.State)
	}
	if len(in.Columns) > 0 {
		cols := make([]any, len(in.Columns))
		for i, c := range in.Columns {
			cols[i] = c
		}
		d["columns"] = cols
	}
	for k, v := range map[string]string{"sort": in.Sort, "groupBy": in.GroupBy, "dateField": in.DateField, "search": in.Search} {
		if v != "" {
			d[k] = v
		}
	}
	return d
}

func fromDoc(d store.Doc) View {
	str := func(k string) string { s, _ := d[k].(string); return s }
	v := View{ID: str("_id"), App: str("app"), Form: str("form"), Owner: str("owner"),
		CreatedAt: str("createdAt"), UpdatedAt: str("updatedAt")}
	v.Name, v.Sort, v.Mode = str("name"), str("sort"), str("mode")
	v.GroupBy, v.DateField, v.Search = str("groupBy"), str("dateField"), str("search")
	v.Shared, _ = d["shared"].(bool)
	if f := str("filter"); f != "" {
		v.Filter = json.RawMessage(f)
	}
	if st := str("state"); st != "" {
		v.State = json.RawMessage(st)
	}
	if cols, ok := d["columns"].([]any); ok {
		for _, c := range cols {
			if s, ok := c.(string); ok {
				v.Columns = append(v.Columns, s)
			}
		}
	}
	v.Version, _ = int64Of(d["version"])
	return v
}

func intOf(v any) (int, bool) {
	n, ok := int64Of(v)
	return int(n), ok
}

func int64Of(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// CheckFields refuses columns, a kanban grouping or a calendar date field
// that name no field of the form (known tells which names are fields).
func CheckFields(in Input, known func(string) bool, lang string) error {
	var fe []errs.FieldError
	bad := func(path string) {
		fe = append(fe, errs.FieldError{Path: path, Code: "savedview.unknown_field", Message: msg(lang, "savedview.unknown_field")})
	}
	for i, c := range in.Columns {
		if !known(c) {
			bad("columns[" + strconv.Itoa(i) + "]")
		}
	}
	if in.GroupBy != "" && !known(in.GroupBy) {
		bad("groupBy")
	}
	if in.DateField != "" && !known(in.DateField) {
		bad("dateField")
	}
	if len(fe) == 0 {
		return nil
	}
	return &errs.Error{Class: errs.Unprocessable, Code: fe[0].Code, Msg: fe[0].Message, Fields: fe}
}
