package script

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/dop251/goja"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// Coded failures. A script that refuses a request for a business reason (an
// unknown member, a coupon already used) throws a plain object instead of
// an Error:
//
//	throw {code: 'crm.coupon_used', status: 409, path: 'couponCodes[0]',
//	       message: {'zh-CN': '优惠券已使用', en: 'the coupon has been used'}}
//
// and Run returns it as an *errs.Error with that code and the class of the
// status, so the caller gets a stable code to match on and a reason in its
// own language rather than a generic script.error. code is a dotted
// lowercase code outside the engine's own "script." namespace; status is
// one of 400, 403, 404, 409, 412 and 422 (anything else, or none, is 422:
// a script cannot claim a server failure); message is a text or
// translations keyed by locale, picked with Options.Lang; path, optional,
// names the offending part of the input and becomes the error's one field
// error. An object that does not follow this shape is an ordinary thrown
// value (script.error).

var thrownCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

var thrownClass = map[int64]errs.Class{
	400: errs.Invalid, 403: errs.Forbidden, 404: errs.NotFound,
	409: errs.Conflict, 412: errs.PreconditionErr, 422: errs.Unprocessable,
}

// maxThrownPath bounds the field path of a coded failure.
const maxThrownPath = 200

// thrownError returns the coded error a script threw as a plain object,
// or nil when v is not one. Reading the object may run getters, so it is
// exported under the same guards as a result.
func (s *slot) thrownError(ctx context.Context, v goja.Value, pos Position) *errs.Error {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ClassName() != "Object" {
		return nil
	}
	var m map[string]any
	err := s.guarded(func() error {
		x := exporter{budget: 8 * maxMessage, maxBytes: 8 * maxMessage, maxDepth: 4}
		out, _, err := x.value(v, 0)
		m, _ = out.(map[string]any)
		return err
	})
	if err != nil || m == nil {
		return nil
	}
	code, _ := m["code"].(string)
	if !thrownCodeRe.MatchString(code) || strings.HasPrefix(code, "script.") || len(code) > 100 {
		return nil
	}
	class := errs.Unprocessable
	if n, ok := m["status"].(int64); ok {
		if c, known := thrownClass[n]; known {
			class = c
		}
	}
	lang := ""
	if s.e.opts.Lang != nil {
		lang = s.e.opts.Lang(ctx)
	}
	msg := truncate(pickMessage(m["message"], lang, code), maxMessage)
	e := &errs.Error{Class: class, Code: code, Msg: msg, Cause: &ScriptError{Code: code, Message: msg, Pos: pos}}
	if p, ok := m["path"].(string); ok && p != "" {
		e.Fields = []errs.FieldError{{Path: truncate(p, maxThrownPath), Code: code, Message: msg}}
	}
	return e
}

// pickMessage chooses the text of a thrown message for lang: the text
// itself, or from translations the one for lang, then the English or
// Chinese one (as lang leans), then any; the code when there is none.
func pickMessage(v any, lang, code string) string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return x
		}
	case map[string]any:
		order := []string{lang, "zh-CN", "en"}
		if i18n.IsEnglish(lang) {
			order = []string{lang, "en", "zh-CN"}
		}
		for _, k := range order {
			if t, ok := x[k].(string); ok && t != "" {
				return t
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if t, ok := x[k].(string); ok && t != "" {
				return t
			}
		}
	}
	return code
}
