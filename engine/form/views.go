package form

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// Views. A view is a saved list of a form's records (meta kind "view"):
// filter, sort, columns. Its filter and sort are written by a designer, not
// typed by the reader, so they may name fields the reader cannot filter by
// (that reveals nothing the reader can vary); the reader's row scope and
// field rules still apply to what comes back.

// compiledView is a published view applied to a list.
type compiledView struct {
	filter  *query.Node
	sort    []query.SortKey
	columns []string
}

type viewSpec struct {
	Form    string          `json:"form"`
	Filter  json.RawMessage `json:"filter"`
	Sort    string          `json:"sort"`
	Columns []struct {
		Field string `json:"field"`
	} `json:"columns"`
}

// view loads the published view key and compiles it against f. The view
// must list records of f.
func (r *Records) view(ctx context.Context, f *Form, key string, vars map[string]any, lang string) (*compiledView, error) {
	def, err := r.meta.Published(ctx, f.App, meta.KindView, key)
	if err != nil {
		return nil, err
	}
	var spec viewSpec
	if err := json.Unmarshal(def.Spec, &spec); err != nil {
		return nil, errs.Wrap(err, errs.Internal, "record.view_invalid", "view %q cannot be read", key)
	}
	if spec.Form != f.Key {
		return nil, &errs.Error{Class: errs.Invalid, Code: "record.view_form", Msg: recordMsg(lang, "record.view_form", key),
			Fields: []errs.FieldError{fieldErr(lang, "view", "record.view_form", key)}}
	}
	v := &compiledView{}
	if v.filter, err = query.ParseFilter(spec.Filter, f.QFields, query.Options{Vars: vars, Root: "view.filter"}); err != nil {
		return nil, err
	}
	if v.sort, err = query.ParseSort(spec.Sort, f.QFields); err != nil {
		return nil, err
	}
	for _, c := range spec.Columns {
		v.columns = append(v.columns, c.Field)
	}
	return v, nil
}
