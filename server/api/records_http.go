package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/problem"
)

// requestLang picks the message language from Accept-Language: English
// when the first language asked for is English, zh-CN otherwise (the CRM's
// users are Chinese first).
func requestLang(c *fiber.Ctx) string {
	h := strings.TrimSpace(c.Get(fiber.HeaderAcceptLanguage))
	first, _, _ := strings.Cut(h, ",")
	first, _, _ = strings.Cut(first, ";")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(first)), "en") {
		return "en"
	}
	return "zh-CN"
}

// recordCtx is the request context carrying the message language.
func recordCtx(c *fiber.Ctx) context.Context {
	return form.WithLang(c.UserContext(), requestLang(c))
}

// writeOptions carries the language and the audit details of a write.
func (s *Server) writeOptions(c *fiber.Ctx) form.WriteOptions {
	cl := callerOf(c)
	return form.WriteOptions{Lang: requestLang(c), IP: cl.IP, RequestID: cl.RequestID}
}

// decodeRecordBody decodes a record or merge patch (an object of field
// values). application/merge-patch+json, the media type of RFC 7396, is
// accepted as well as application/json.
func decodeRecordBody(c *fiber.Ctx, v *map[string]any) error {
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	if strings.HasPrefix(ct, "application/merge-patch+json") {
		c.Request().Header.SetContentType(fiber.MIMEApplicationJSON)
	}
	if err := decodeJSON(c, v); err != nil {
		return err
	}
	if *v == nil {
		return errs.New(errs.Invalid, "request.type", "the body must be a JSON object of field values")
	}
	return nil
}

// checkJSONBody applies decodeJSON's content type, emptiness and nesting
// rules to a body that the engine parses itself.
func checkJSONBody(c *fiber.Ctx) error {
	var v any
	return decodeJSON(c, &v)
}

// sendRecord answers with a record and its version as ETag.
func sendRecord(c *fiber.Ctx, doc store.Doc, status int) error {
	if v, ok := doc[form.SysVersion]; ok {
		c.Set(fiber.HeaderETag, `"`+fmt.Sprint(v)+`"`)
	}
	return c.Status(status).JSON(doc)
}

func idOf(doc store.Doc) string {
	id, _ := doc[form.SysID].(string)
	return id
}

// bulkItem is one result of a bulk call.
type bulkItem struct {
	Index  int           `json:"index"`
	Op     string        `json:"op"`
	Status int           `json:"status"`
	ID     string        `json:"id,omitempty"`
	Record store.Doc     `json:"record,omitempty"`
	Error  *problem.Body `json:"error,omitempty"`
}

// bulkItems renders results with the status each single call would give;
// internal errors are logged with the request id, as the error handler
// does for whole requests.
func (s *Server) bulkItems(c *fiber.Ctx, res []form.BulkResult) []bulkItem {
	out := make([]bulkItem, len(res))
	for i, r := range res {
		it := bulkItem{Index: r.Index, Op: r.Op, ID: r.ID, Record: r.Record}
		switch {
		case r.Err != nil:
			b := problem.From(r.Err)
			b.Instance = c.Path()
			if b.Status >= 500 {
				s.deps.Log.Error("bulk item failed", "requestId", c.Locals("requestid"), "index", r.Index, "err", r.Err.Error())
			}
			it.Status, it.Error, it.Record = b.Status, &b, nil
		case r.Op == form.BulkCreate:
			it.Status = fiber.StatusCreated
		case r.Op == form.BulkDelete:
			it.Status = fiber.StatusNoContent
		default:
			it.Status = fiber.StatusOK
		}
		out[i] = it
	}
	return out
}
