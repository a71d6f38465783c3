package action

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/store"
)

// records.* — the records service inside the run's transaction, with the
// same checks as the records API: the principal's rights, row scope and
// field rules, validation, formulas, auto-numbers, unique values,
// relations, rollups, history and audit. Money fields take and give
// integers of fen (the records API takes yuan on write; scripts would
// otherwise read 1250 and write it back as 1250 yuan).

// recordsGet is records.get(form, id): the record, or null when it does
// not exist or lies outside the principal's rows.
func (h *host) recordsGet(ctx context.Context, list []any) (any, error) {
	return h.recordCall("records.get", list, func(a *args, formKey string) (any, error) {
		id, err := a.str(1, "id")
		if err != nil {
			return nil, err
		}
		doc, err := h.rec.Get(ctx, h.p, h.a.app, formKey, id)
		if errs.HasCode(err, "record.not_found") {
			return nil, nil
		}
		return record(doc, err)
	})
}

// recordCall runs the records.* call name, whose first argument is the
// form key: it decodes the arguments in list, reads the form key and hands
// both to call.
func (h *host) recordCall(name string, list []any, call func(a *args, formKey string) (any, error)) (any, error) {
	a := h.args(name, list)
	formKey, err := a.str(0, "form")
	if err != nil {
		return nil, err
	}
	return call(a, formKey)
}

// record converts a record the records service returned for the script.
func record(doc store.Doc, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]any(doc), nil
}

// recordsFind is records.find(form, filter?, {sort, limit}?): the records
// matching a filter of the query language, sorted by "a,-b" (or
// ["a", "-b"]), at most limit of them (default 50, at most 1000).
func (h *host) recordsFind(ctx context.Context, list []any) (any, error) {
	return h.recordCall("records.find", list, func(a *args, formKey string) (any, error) {
		filter, err := a.obj(1, "filter", true)
		if err != nil {
			return nil, err
		}
		opts, err := a.obj(2, "options", true)
		if err != nil {
			return nil, err
		}
		if err := a.known(opts, "sort", "limit"); err != nil {
			return nil, err
		}
		q := form.ListQuery{}
		if filter != nil {
			if q.Filter, err = json.Marshal(filter); err != nil {
				return nil, err
			}
		}
		if q.Sort, err = sortOf(a, opts["sort"]); err != nil {
			return nil, err
		}
		limit, _, err := a.propInt(opts, "limit")
		if err != nil {
			return nil, err
		}
		q.Limit = int(limit)
		page, err := h.rec.List(ctx, h.p, h.a.app, formKey, q)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(page.Items))
		for i, d := range page.Items {
			out[i] = map[string]any(d)
		}
		return out, nil
	})
}

// sortOf reads a sort option: "a,-b" or ["a", "-b"].
func sortOf(a *args, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			s, ok := it.(string)
			if !ok {
				return "", a.prop("sort", "sort")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", a.prop("sort", "sort")
}

// recordsCreate is records.create(form, data): the created record.
func (h *host) recordsCreate(ctx context.Context, list []any) (any, error) {
	return h.recordCall("records.create", list, func(a *args, formKey string) (any, error) {
		data, err := a.obj(1, "data", false)
		if err != nil {
			return nil, err
		}
		if err := h.moneyIn(ctx, formKey, data); err != nil {
			return nil, err
		}
		return record(h.rec.Create(ctx, h.p, h.a.app, formKey, data, h.wo))
	})
}

// recordsUpdate is records.update(form, id, patch, {ifVersion}?): a merge
// patch, conditional on the record's _version when ifVersion is given
// (412 record.stale otherwise). The updated record.
func (h *host) recordsUpdate(ctx context.Context, list []any) (any, error) {
	return h.recordCall("records.update", list, func(a *args, formKey string) (any, error) {
		id, err := a.str(1, "id")
		if err != nil {
			return nil, err
		}
		patch, err := a.obj(2, "patch", false)
		if err != nil {
			return nil, err
		}
		opts, err := a.obj(3, "options", true)
		if err != nil {
			return nil, err
		}
		if err := a.known(opts, "ifVersion"); err != nil {
			return nil, err
		}
		ifVersion, given, err := a.propInt(opts, "ifVersion")
		if err != nil {
			return nil, err
		}
		if given && ifVersion < 1 {
			return nil, a.prop("ifVersion", "int")
		}
		if err := h.moneyIn(ctx, formKey, patch); err != nil {
			return nil, err
		}
		return record(h.rec.Patch(ctx, h.p, h.a.app, formKey, id, patch, ifVersion, h.wo))
	})
}

// moneyIn rewrites the money values of data (top-level fields and
// sub-table columns) from integer fen, as scripts hold them, to the yuan
// the records service reads. Anything but an integer is refused with the
// field's path. Unknown fields are left for the records service to report.
func (h *host) moneyIn(ctx context.Context, formKey string, data map[string]any) error {
	f, err := h.rec.Form(ctx, h.a.app, formKey)
	if err != nil {
		return nil // the records call reports it, after the access decision
	}
	var fe []errs.FieldError
	for k, v := range data {
		fd, ok := f.Field(k)
		if !ok || v == nil {
			continue
		}
		switch fd.Type {
		case "money":
			if y, ok := yuan(v); ok {
				data[k] = y
			} else {
				fe = append(fe, errs.FieldError{Path: k, Code: "action.money", Message: msg(h.lang, "action.money")})
			}
		case "subtable":
			rows, _ := v.([]any)
			for i, r := range rows {
				row, _ := r.(map[string]any)
				for _, col := range fd.Fields {
					cv, ok := row[col.Key]
					if col.Type != "money" || !ok || cv == nil {
						continue
					}
					if y, ok := yuan(cv); ok {
						row[col.Key] = y
					} else {
						fe = append(fe, errs.FieldError{Path: fmt.Sprintf("%s[%d].%s", k, i, col.Key), Code: "action.money", Message: msg(h.lang, "action.money")})
					}
				}
			}
		}
	}
	return errs.Validation(errs.Unprocessable, "action.money", msg(h.lang, "action.money"), fe)
}

// yuan renders an integer of fen as exact yuan text ("12.5" for 1250).
func yuan(v any) (string, bool) {
	fen, ok := v.(int64)
	if !ok {
		return "", false
	}
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = uint64(-fen)
	}
	s := strconv.FormatUint(u/100, 10)
	switch r := u % 100; {
	case r == 0:
	case r%10 == 0:
		s += "." + strconv.FormatUint(r/10, 10)
	default:
		s += fmt.Sprintf(".%02d", r)
	}
	if neg {
		s = "-" + s
	}
	return s, true
}
