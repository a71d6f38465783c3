package form

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Aggregate runs a group-by over the records the caller may read, in the
// database (spec: the query package's aggregation JSON). Group keys,
// measures and the filter may only name fields the caller may read; the
// caller's row scope is ANDed into the filter, deleted records never
// count. Reports build on this.
func (r *Records) Aggregate(ctx context.Context, p *auth.Principal, app, form string, spec []byte) ([]store.Doc, error) {
	lang := LangOf(ctx)
	f, d, err := r.open(ctx, p, app, form, access.Read)
	if err != nil {
		return nil, err
	}
	a, err := query.ParseAggregate(spec, f.QFields)
	if err != nil {
		return nil, err
	}
	var fe []errs.FieldError
	for i, g := range a.Group {
		if !readable(d, g.Field.Path) {
			fe = append(fe, fieldErr(lang, fmt.Sprintf("groupBy[%d].field", i), "record.field_not_readable"))
		}
	}
	for i, m := range a.Measures {
		if m.Field.Path != "" && !readable(d, m.Field.Path) {
			fe = append(fe, fieldErr(lang, fmt.Sprintf("measures[%d].field", i), "record.field_not_readable"))
		}
	}
	if len(fe) > 0 {
		return nil, &errs.Error{Class: errs.Invalid, Code: "record.field_not_readable", Msg: fe[0].Message, Fields: fe}
	}
	if err := f.checkFilter(lang, d, a.Filter, "filter"); err != nil {
		return nil, err
	}
	scope, err := scopeOf(f, d, false)
	if err != nil {
		return nil, err
	}
	a.Filter = query.And(a.Filter, scope)
	rows, err := r.st.Aggregate(ctx, f.Coll, a)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []store.Doc{}
	}
	return rows, nil
}
