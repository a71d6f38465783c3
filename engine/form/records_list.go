package form

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Page sizes of List.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
	maxSearchRunes  = 100
)

// ListQuery selects a page of records. Filter is the user's JSON filter
// (the query language, with the $user.* variables); Sort is "a,-b"; Cursor
// is the Next of the previous page, for the same filter and sort. View
// names a published view of the form: its filter is ANDed with the user's,
// its sort applies when Sort is empty, its columns limit the fields
// returned. Search looks for a substring in SearchFields (default: the
// form's text fields the caller may read). Count asks for the total of
// matching records (an extra query, so only on request). Deleted lists
// soft-deleted records instead, for callers with the delete right.
type ListQuery struct {
	Filter       []byte
	Sort         string
	Limit        int
	Cursor       string
	View         string
	Search       string
	SearchFields []string
	Count        bool
	Deleted      bool
}

// Page is one page of records. Next is the cursor of the following page,
// "" on the last one. Total is set when Count was asked.
type Page struct {
	Items []store.Doc `json:"items"`
	Next  string      `json:"next,omitempty"`
	Total *int64      `json:"total,omitempty"`
}

// defaultSort is newest first: ids sort by creation time.
var defaultSort = []query.SortKey{{Field: fID, Desc: true}}

// List returns a page of the records the caller may read. The caller's
// row scope is ANDed with everything else, so no filter (an $or included)
// can widen it; filters, sorts and searches naming a field the caller may
// not read (hidden or masked) are refused with 400
// record.field_not_readable. Paging is by keyset cursor: stable while
// records are added, and cheap at any depth, so exports page through a
// whole form with Limit 1000.
func (r *Records) List(ctx context.Context, p *auth.Principal, app, form string, q ListQuery) (Page, error) {
	lang := LangOf(ctx)
	f, d, err := r.open(ctx, p, app, form, access.Read)
	if err != nil {
		return Page{}, err
	}
	if q.Deleted {
		if _, err := r.decide(ctx, p, app, form, access.Delete); err != nil {
			return Page{}, err
		}
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 1 || limit > MaxPageSize {
		return Page{}, &errs.Error{Class: errs.Invalid, Code: "record.limit", Msg: recordMsg(lang, "record.limit", MaxPageSize),
			Fields: []errs.FieldError{fieldErr(lang, "limit", "record.limit", MaxPageSize)}}
	}
	vars := p.Vars()
	user, err := query.ParseFilter(q.Filter, f.QFields, query.Options{Vars: vars, Root: "filter"})
	if err != nil {
		return Page{}, err
	}
	if err := f.checkFilter(lang, d, user, "filter"); err != nil {
		return Page{}, err
	}
	keys, err := query.ParseSort(q.Sort, f.QFields)
	if err != nil {
		return Page{}, err
	}
	if err := checkSort(lang, d, keys); err != nil {
		return Page{}, err
	}
	var columns []string
	var viewFilter *query.Node
	if q.View != "" {
		v, err := r.view(ctx, f, q.View, vars, lang)
		if err != nil {
			return Page{}, err
		}
		viewFilter, columns = v.filter, v.columns
		if keys == nil {
			keys = v.sort
		}
	}
	if keys == nil {
		keys = defaultSort
	}
	search, err := f.searchFilter(lang, d, q.Search, q.SearchFields)
	if err != nil {
		return Page{}, err
	}
	scope, err := scopeOf(f, d, q.Deleted)
	if err != nil {
		return Page{}, err
	}
	filter := query.And(user, viewFilter, search, scope)
	keys = query.WithIDTieBreak(keys)
	find := filter
	if q.Cursor != "" {
		after, err := query.DecodeCursor(q.Cursor, keys)
		if err != nil {
			return Page{}, err
		}
		find = query.And(filter, after)
	}
	docs, err := r.reads().Find(ctx, f.Coll, store.Query{Filter: find, Sort: keys, Limit: limit + 1})
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: docs}
	if len(docs) > limit {
		page.Items = docs[:limit]
		// The cursor holds the last row's sort values, read before field
		// rules apply: sorting by a field the caller may not read is
		// refused above, so it never carries a hidden value.
		page.Next = query.CursorOf(docs[limit-1], keys).Encode()
	}
	if q.Count {
		n, err := r.reads().Count(ctx, f.Coll, filter)
		if err != nil {
			return Page{}, err
		}
		page.Total = &n
	}
	if err := r.present(ctx, p, f, d, page.Items); err != nil {
		return Page{}, err
	}
	if columns != nil {
		project(page.Items, columns)
	}
	if page.Items == nil {
		page.Items = []store.Doc{}
	}
	return page, nil
}

// checkFilter refuses a filter naming a field the caller may not read or
// an operator the field's type does not support.
func (f *Form) checkFilter(lang string, d *access.Decision, n *query.Node, root string) error {
	var fe []errs.FieldError
	seen := map[string]bool{}
	query.Walk(n, func(x *query.Node) {
		if x.Field.Path == "" {
			return
		}
		path := root + "." + x.Field.Path
		if !readable(d, x.Field.Path) {
			if !seen[path] {
				seen[path] = true
				fe = append(fe, fieldErr(lang, path, "record.field_not_readable"))
			}
			return
		}
		if ops, ok := f.ops[x.Field.Path]; ok && !hasOp(ops, x.Op) {
			fe = append(fe, fieldErr(lang, path, "record.operator_not_allowed", "$"+string(x.Op)))
		}
	})
	if len(fe) == 0 {
		return nil
	}
	return &errs.Error{Class: errs.Invalid, Code: fe[0].Code, Msg: fe[0].Message, Fields: fe}
}

func checkSort(lang string, d *access.Decision, keys []query.SortKey) error {
	var fe []errs.FieldError
	for i, k := range keys {
		if !readable(d, k.Field.Path) {
			fe = append(fe, fieldErr(lang, fmt.Sprintf("sort[%d]", i), "record.field_not_readable"))
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return &errs.Error{Class: errs.Invalid, Code: "record.field_not_readable", Msg: fe[0].Message, Fields: fe}
}

// searchFilter builds the OR of substring matches of text over the search
// fields. Substring matching is what makes Chinese search work without a
// word splitter: "张三" finds "张三丰".
func (f *Form) searchFilter(lang string, d *access.Decision, text string, fields []string) (*query.Node, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(text) > maxSearchRunes {
		return nil, &errs.Error{Class: errs.Invalid, Code: "record.search_too_long", Msg: recordMsg(lang, "record.search_too_long"),
			Fields: []errs.FieldError{fieldErr(lang, "q", "record.search_too_long")}}
	}
	var alts []*query.Node
	if fields == nil {
		for _, k := range f.text {
			if readable(d, k) {
				alts = append(alts, query.Cmp(f.QFields[k], query.OpContains, query.Str(text)))
			}
		}
		return orNone(alts), nil
	}
	var fe []errs.FieldError
	for i, k := range fields {
		path := fmt.Sprintf("searchFields[%d]", i)
		qf, ok := f.QFields[k]
		switch {
		case !ok || qf.Kind != query.KindString || qf.Array:
			fe = append(fe, fieldErr(lang, path, "record.field_not_searchable"))
		case !readable(d, k):
			fe = append(fe, fieldErr(lang, path, "record.field_not_readable"))
		default:
			alts = append(alts, query.Cmp(qf, query.OpContains, query.Str(text)))
		}
	}
	if len(fe) > 0 {
		return nil, &errs.Error{Class: errs.Invalid, Code: fe[0].Code, Msg: fe[0].Message, Fields: fe}
	}
	return orNone(alts), nil
}

// orNone is the OR of alts, which matches nothing when alts is empty.
func orNone(alts []*query.Node) *query.Node {
	if len(alts) == 0 {
		return query.False()
	}
	return query.Or(alts...)
}

// readable reports whether the caller may use a path in a query: system
// fields always, fields by their top-level key's rule.
func readable(d *access.Decision, path string) bool {
	if strings.HasPrefix(path, "_") {
		return true
	}
	return d.Readable(topKey(path))
}

func topKey(path string) string {
	k, _, _ := strings.Cut(path, ".")
	return k
}

func hasOp(ops []query.Op, op query.Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// project keeps the view's columns (their top-level keys) and the system
// fields of each record.
func project(docs []store.Doc, columns []string) {
	keep := map[string]bool{}
	for _, c := range columns {
		keep[topKey(c)] = true
	}
	for _, doc := range docs {
		for k := range doc {
			if !keep[k] && !strings.HasPrefix(k, "_") {
				delete(doc, k)
			}
		}
	}
}
