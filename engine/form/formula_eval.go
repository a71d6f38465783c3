package form

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// Trying a formula in the builder: the expression is compiled exactly as
// a formula field of the form is (same parameters, same sandbox, same
// deadline) and evaluated on a sample record — values the designer types,
// or a record the designer may read — after the form's defaults and other
// formulas are computed over that sample as a save would.

// MaxTrialExpression bounds a tried expression, in characters: the
// formula field's own limit (its settings schema's maxLength).
const MaxTrialExpression = 10000

// FormulaTrial is one formula to try.
type FormulaTrial struct {
	// Expression is the JavaScript expression over the form's field keys.
	Expression string
	// ResultType is how the result would be stored (a formula field's
	// resultType: text, number, money, date, datetime, checkbox); empty
	// shows the value as the expression returns it.
	ResultType string
	// Field is the key of the formula field being edited, if any: the
	// expression may not read it, and its saved formula is not computed.
	// It need not be in the definition yet (a field not saved so far).
	Field string
	// Record holds sample field values as a client writes them (money as
	// "12.30"); they override RecordID's stored values.
	Record map[string]any
	// RecordID names an existing record of the form as the sample; it is
	// read under the caller's rights, like a GET of the record.
	RecordID string
	// Draft evaluates against the latest revision of the form definition
	// instead of the published one.
	Draft bool
}

// FormulaResult is the outcome of a trial. Errors are failures of the
// evaluation on this sample (an exception, the deadline, a result of
// the wrong type); problems with the expression itself are returned as a
// 422 error instead.
type FormulaResult struct {
	Value  any               `json:"value"`
	Type   string            `json:"type"`
	Fields []string          `json:"fields"` // the form's fields the expression reads
	Inputs map[string]any    `json:"inputs"` // their values in the sample, stored form
	Errors []errs.FieldError `json:"errors,omitempty"`
}

// trialMessages are the trial's messages, zh-CN first.
var trialMessages = map[string][2]string{
	"formula.too_long":      {"公式最多 %d 个字符", "a formula has at most %d characters"},
	"formula.syntax":        {"公式语法错误：%s", "syntax error in the formula: %s"},
	"formula.unknown_field": {"公式引用了表单中不存在的字段：%s", "the formula names fields the form does not have: %s"},
	"formula.self":          {"公式不能引用自身所在的字段 %q", "a formula cannot read its own field %q"},
	"formula.result_type":   {"未知的结果类型 %q（text、number、money、date、datetime、checkbox）", "unknown result type %q (text, number, money, date, datetime, checkbox)"},
	"formula.type_mismatch": {"结果 %s 不能作为%s保存", "the result %s cannot be stored as %s"},
	"formula.type.text":     {"文本", "text"},
	"formula.type.number":   {"数字", "a number"},
	"formula.type.money":    {"金额（分）", "money (fen)"},
	"formula.type.date":     {"日期", "a date"},
	"formula.type.datetime": {"日期时间", "a date and time"},
	"formula.type.checkbox": {"是/否", "yes or no"},
	"formula.failed":        {"公式计算失败：%s", "the formula failed: %s"},
	"formula.sample":        {"示例记录有误", "the sample record is invalid"},
	"formula.invalid":       {"公式有误", "the formula is invalid"},
	"formula.form_invalid":  {"表单定义无法使用：%s", "the form definition cannot be used: %s"},
}

func trialErr(lang, path, code string, args ...any) errs.FieldError {
	return errs.FieldError{Path: path, Code: code, Message: i18n.Message(trialMessages, lang, code, args...)}
}

// unprocessable wraps field errors in a 422 whose code is top.
func unprocessable(lang, top string, fe []errs.FieldError) error {
	return errs.Validation(errs.Unprocessable, top, i18n.Message(trialMessages, lang, top), fe)
}

// TryFormula evaluates t on a sample record of app's form for p, who
// needs the design right on the form (the right to save its draft).
func (r *Records) TryFormula(ctx context.Context, p *auth.Principal, app, form string, t FormulaTrial) (*FormulaResult, error) {
	lang := LangOf(ctx)
	if err := r.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindForm, Key: form}, access.Design); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(t.Expression); n > MaxTrialExpression {
		return nil, unprocessable(lang, "formula.invalid", []errs.FieldError{trialErr(lang, "expression", "formula.too_long", MaxTrialExpression)})
	}
	f, err := r.trialForm(ctx, app, form, t.Draft, lang)
	if err != nil {
		return nil, err
	}
	fm, err := f.compileTrial(ctx, r.scripts, t, lang)
	if err != nil {
		return nil, err
	}
	rec, err := r.trialSample(ctx, p, f, t, lang)
	if err != nil {
		return nil, err
	}
	res := &FormulaResult{Fields: fm.params, Inputs: map[string]any{}}
	if res.Errors, err = f.trialDeps(ctx, r.scripts, fm, t, rec, lang); err != nil {
		return nil, err
	}
	args := make([]any, len(fm.params))
	for i, k := range fm.params {
		args[i] = rec[k]
		res.Inputs[k] = rec[k]
	}
	v, err := r.scripts.EvalFormula(ctx, fm.f, args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e, ok := errs.As(err)
		if !ok || !strings.HasPrefix(e.Code, "script.") || e.Class == errs.Internal {
			return nil, err
		}
		res.Type = "null"
		res.Errors = append(res.Errors, errs.FieldError{Path: "expression", Code: e.Code,
			Message: i18n.Message(trialMessages, lang, "formula.failed", e.Msg)})
		return res, nil
	}
	res.Value, res.Type = trialValue(v)
	if t.ResultType != "" {
		res.Type = t.ResultType
		sv, ok := storedResult(v, Stored{Kind: formulaKinds[t.ResultType]})
		if !ok {
			desc, _ := json.Marshal(res.Value)
			res.Errors = append(res.Errors, trialErr(lang, "resultType", "formula.type_mismatch", truncateText(string(desc), 80),
				i18n.Message(trialMessages, lang, "formula.type."+t.ResultType)))
		} else {
			res.Value = sv
		}
	}
	return res, nil
}

// trialForm compiles the published form, or its latest revision.
func (r *Records) trialForm(ctx context.Context, app, form string, draft bool, lang string) (*Form, error) {
	if !draft {
		return r.Form(ctx, app, form)
	}
	def, err := r.meta.Get(ctx, app, meta.KindForm, form)
	if err != nil {
		return nil, err
	}
	f, err := Compile(def)
	if err != nil {
		// A saved draft passed the form checks; one that still does not
		// compile is the designer's to fix, not a server fault.
		msg := err.Error()
		if e, ok := errs.As(err); ok && e.Cause != nil {
			msg = e.Cause.Error()
		}
		return nil, unprocessable(lang, "formula.form_invalid", []errs.FieldError{trialErr(lang, "version", "formula.form_invalid", msg)})
	}
	return f, nil
}

// compileTrial compiles the expression as a formula field of f would be,
// then refuses names that are neither fields of f nor sandbox globals.
func (f *Form) compileTrial(ctx context.Context, eng *script.Engine, t FormulaTrial, lang string) (*formulaDef, error) {
	if eng == nil {
		return nil, errNoScripts
	}
	var fe []errs.FieldError
	if t.ResultType != "" {
		if _, ok := formulaKinds[t.ResultType]; !ok {
			fe = append(fe, trialErr(lang, "resultType", "formula.result_type", t.ResultType))
		}
	}
	if len(fe) > 0 {
		return nil, unprocessable(lang, "formula.invalid", fe)
	}
	fm, err := f.compileFormula(t.Field, t.Expression, "expression")
	if err != nil {
		e, ok := errs.As(err)
		if !ok || e.Code != script.CodeSyntax {
			return nil, err
		}
		return nil, unprocessable(lang, "formula.syntax", []errs.FieldError{{Path: "expression", Code: script.CodeSyntax,
			Message: i18n.Message(trialMessages, lang, "formula.syntax", e.Msg)}})
	}
	var free []string
	for _, n := range freeNames(t.Expression) {
		if n == t.Field {
			fe = append(fe, trialErr(lang, "expression", "formula.self", n))
		} else if !fm.deps[n] {
			free = append(free, n)
		}
	}
	globals, err := sandboxGlobals(ctx, eng, free)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, n := range free {
		if !globals[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		fe = append(fe, trialErr(lang, "expression", "formula.unknown_field", quoteNames(unknown)))
	}
	if len(fe) > 0 {
		return nil, unprocessable(lang, "formula.unknown_field", fe)
	}
	return fm, nil
}

// trialSample builds the sample record in stored form: the record named
// by RecordID as the caller sees it (lookups resolved, field rules
// applied), or a new record stamped as a create would be, with the given
// values on top. Computed fields may be given too (a rollup's value to
// try), each checked by its type.
func (r *Records) trialSample(ctx context.Context, p *auth.Principal, f *Form, t FormulaTrial, lang string) (store.Doc, error) {
	var rec store.Doc
	if t.RecordID != "" {
		doc, err := r.Get(ctx, p, f.App, f.Key, t.RecordID)
		if err != nil {
			return nil, err
		}
		rec = doc
	} else {
		now := r.stamp()
		rec = store.Doc{SysID: "", SysVersion: int64(1), SysDeleted: false, SysCreatedAt: now, SysUpdatedAt: now,
			SysCreatedBy: p.Actor(), SysUpdatedBy: p.Actor()}
	}
	var fe []errs.FieldError
	for _, k := range sortedKeys(t.Record) {
		path := "record." + k
		fd, ok := f.byKey[k]
		switch {
		case strings.HasPrefix(k, "_"):
			fe = append(fe, fieldErr(lang, path, "record.system_field"))
			continue
		case !ok:
			fe = append(fe, fieldErr(lang, path, "record.unknown_field", k))
			continue
		}
		v := t.Record[k]
		if v == nil {
			delete(rec, k)
			continue
		}
		nv, bad := f.types[k].Normalize(Ctx{Lang: lang, Path: path}, fd, v)
		fe = append(fe, bad...)
		if len(bad) == 0 {
			rec[k] = nv
		}
	}
	if len(fe) > 0 {
		return nil, unprocessable(lang, "formula.sample", fe)
	}
	return rec, nil
}

// trialDeps computes, over a new sample, the defaults of the fields it
// lacks, and then, over any sample, the form's other formulas in their
// order, as a save would; values the sample gives are kept. A formula
// that fails is reported under record.<key> and left out.
func (f *Form) trialDeps(ctx context.Context, eng *script.Engine, fm *formulaDef, t FormulaTrial, rec store.Doc, lang string) ([]errs.FieldError, error) {
	var out []errs.FieldError
	if t.RecordID == "" {
		bad, err := f.applyDefaults(ctx, eng, rec, lang)
		if err != nil {
			return nil, err
		}
		out = append(out, bad...)
	}
	for _, g := range f.formulas {
		if _, given := t.Record[g.key]; given || g.key == t.Field {
			continue
		}
		v, bad, err := f.eval(ctx, eng, g, rec, lang)
		if err != nil {
			return nil, err
		}
		if len(bad) == 0 {
			if v, bad = f.trialStored(g.key, v, lang); len(bad) == 0 {
				if v == nil {
					delete(rec, g.key)
				} else {
					rec[g.key] = v
				}
				continue
			}
		}
		delete(rec, g.key)
		// Only what the tried expression reads matters to the designer.
		if fm.deps[g.key] {
			out = append(out, bad...)
		}
	}
	for i := range out {
		if !strings.HasPrefix(out[i].Path, "record.") {
			out[i].Path = "record." + out[i].Path
		}
	}
	return out, nil
}

// trialStored converts another formula's result to its field's stored kind.
func (f *Form) trialStored(key string, v any, lang string) (any, []errs.FieldError) {
	sv, ok := storedResult(v, f.stored[key])
	if !ok {
		return nil, []errs.FieldError{fieldErr(lang, key, "record.formula", fmt.Sprintf("%T", v))}
	}
	return sv, nil
}

// trialValue gives a result as JSON shows it and its kind: decimals stay
// exact text, like a number formula's stored value.
func trialValue(v any) (any, string) {
	switch x := v.(type) {
	case nil:
		return nil, "null"
	case string:
		return x, "text"
	case bool:
		return x, "checkbox"
	case int64:
		return x, "number"
	case float64:
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), "number"
	case []any:
		return x, "list"
	}
	return v, "object"
}

// truncateText shortens s to at most n characters for a message.
func truncateText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
