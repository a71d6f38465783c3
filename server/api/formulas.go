package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/server/openapi"
)

// maxFormulaBody bounds a formula trial's body: an expression of
// form.MaxTrialExpression characters (up to 4 bytes each) and a sample
// record's values fit easily; a designer never needs more.
const maxFormulaBody = 256 << 10

// formulaBody is the body of a formula trial.
type formulaBody struct {
	Expression *string        `json:"expression"`
	ResultType string         `json:"resultType"`
	Field      string         `json:"field"`
	Record     map[string]any `json:"record"`
	RecordID   string         `json:"recordId"`
	Version    string         `json:"version"`
}

var formulaMessages = map[string][2]string{
	"request.too_large":  {"请求体超过 %d KiB 的上限", "the request body is larger than the limit of %d KiB"},
	"formula.expression": {"需要公式 expression", "the body needs an expression"},
	"formula.version":    {"version 须为 draft 或 published", "version must be draft or published"},
}

func (s *Server) formulaRoutes(r *Router) {
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/forms/:form/formulas/evaluate", ID: "evaluateFormula", Tag: "meta",
		Summary: "Try a formula on a sample record",
		Description: "Compiles expression exactly as a formula field of the form (same sandbox and deadline) and evaluates it on a " +
			"sample record: the record recordId as the caller may read it, and/or the field values in record (as a client writes " +
			"them). The form's defaults and other formulas are computed over the sample as on save, against the draft (default) or " +
			"the published definition. Needs the design right on the form. A syntax error or a name that is neither a field nor a " +
			"function is a 422 at expression; a failure on this sample (an exception, the 50 ms deadline) comes back in errors.",
		Params: []openapi.Param{langParam},
		Request: openapi.Schema{"type": "object", "required": []string{"expression"}, "additionalProperties": false,
			"properties": openapi.Schema{
				"expression": openapi.Schema{"type": "string", "maxLength": form.MaxTrialExpression},
				"resultType": openapi.Schema{"type": "string", "enum": []string{"text", "number", "money", "date", "datetime", "checkbox"}},
				"field":      openapi.Schema{"type": "string", "description": "the formula field being edited: not readable by the expression"},
				"record":     openapi.Schema{"type": "object", "description": "sample field values"},
				"recordId":   openapi.Schema{"type": "string", "description": "an existing record of the form as the sample"},
				"version":    openapi.Schema{"type": "string", "enum": []string{"draft", "published"}, "default": "draft"},
			}},
		Response: openapi.Schema{"type": "object", "required": []string{"value", "type", "fields", "inputs"},
			"properties": openapi.Schema{
				"value":  openapi.Schema{"description": "the result (stored form when resultType is given: money in fen)"},
				"type":   openapi.Schema{"type": "string", "description": "resultType, or the kind of the value: text, number, checkbox, list, object, null"},
				"fields": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}},
				"inputs": openapi.Schema{"type": "object", "description": "the values of fields in the sample"},
				"errors": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}},
			}},
		Errors: []int{400, 404, 413, 422},
	}, func(c *fiber.Ctx) error {
		app, key := c.Params("app"), c.Params("form")
		lang := requestLang(c)
		if err := s.canDesign(c, access.Target{App: app, Kind: meta.KindForm, Key: key}); err != nil {
			return err
		}
		if len(c.Body()) > maxFormulaBody {
			return errs.New(errs.TooLarge, "request.too_large", "%s", i18n.Message(formulaMessages, lang, "request.too_large", maxFormulaBody>>10))
		}
		var b formulaBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		if b.Expression == nil {
			return fieldProblem(errs.Invalid, "request.required", "expression", i18n.Message(formulaMessages, lang, "formula.expression"))
		}
		if b.Version != "" && b.Version != "draft" && b.Version != "published" {
			return fieldProblem(errs.Invalid, "request.enum", "version", i18n.Message(formulaMessages, lang, "formula.version"))
		}
		res, err := s.deps.Records.TryFormula(recordCtx(c), principal(c), app, key, form.FormulaTrial{
			Expression: *b.Expression, ResultType: b.ResultType, Field: b.Field, Record: b.Record,
			RecordID: b.RecordID, Draft: b.Version != "published"})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
}

// fieldProblem is a request error about one member of the body.
func fieldProblem(class errs.Class, code, path, message string) error {
	return &errs.Error{Class: class, Code: code, Msg: message, Fields: []errs.FieldError{{Path: path, Code: code, Message: message}}}
}
