package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/server/openapi"
)

// The records API: the records of published forms, through the records
// service (engine/form), which applies the caller's rights on every path.
// Messages follow Accept-Language (zh-CN unless English is asked for).

const recordsBase = "/api/apps/:app/forms/:form/records"

func registerRecordComponents(sp *openapi.Spec) {
	sp.Component("Record", openapi.Schema{
		"type":                 "object",
		"description":          "A record: the form's fields by key, plus the system fields. Money is in fen (integer).",
		"additionalProperties": true,
		"properties": openapi.Schema{
			"_id":        openapi.Schema{"type": "string"},
			"_version":   openapi.Schema{"type": "integer", "description": "revision; the ETag, send it back in If-Match"},
			"_createdAt": openapi.Schema{"type": "string", "format": "date-time"},
			"_updatedAt": openapi.Schema{"type": "string", "format": "date-time"},
			"_createdBy": openapi.Schema{"type": "string"},
			"_updatedBy": openapi.Schema{"type": "string"},
			"_state":     openapi.Schema{"type": "string", "description": "workflow state"},
			"_deleted":   openapi.Schema{"type": "boolean"},
		},
	})
	sp.Component("RecordPage", openapi.Schema{
		"type": "object", "required": []string{"items"},
		"properties": openapi.Schema{
			"items": openapi.Schema{"type": "array", "items": openapi.Ref("Record")},
			"next":  openapi.Schema{"type": "string", "description": "cursor of the next page; absent on the last"},
			"total": openapi.Schema{"type": "integer", "description": "matching records, with count=true"},
		},
	})
	sp.Component("Revision", openapi.Schema{
		"type": "object",
		"properties": openapi.Schema{
			"rev":    openapi.Schema{"type": "integer"},
			"op":     openapi.Schema{"type": "string", "enum": []string{"create", "update", "delete", "restore", "revert"}},
			"at":     openapi.Schema{"type": "string", "format": "date-time"},
			"by":     openapi.Schema{"type": "string"},
			"byName": openapi.Schema{"type": "string"},
			"fields": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}},
			"old":    openapi.Schema{"type": "object"},
			"new":    openapi.Schema{"type": "object"},
			"from":   openapi.Schema{"type": "integer", "description": "for a revert: the revision restored"},
		},
	})
	sp.Component("BulkRequest", openapi.Schema{
		"type": "object", "required": []string{"items"}, "additionalProperties": false,
		"properties": openapi.Schema{"items": openapi.Schema{"type": "array", "maxItems": form.MaxBulk, "items": openapi.Schema{
			"type": "object", "required": []string{"op"}, "additionalProperties": false,
			"properties": openapi.Schema{
				"op":      openapi.Schema{"type": "string", "enum": []string{"create", "update", "delete"}},
				"id":      openapi.Schema{"type": "string"},
				"data":    openapi.Schema{"type": "object"},
				"ifMatch": openapi.Schema{"type": "integer"},
			},
		}}},
	})
	sp.Component("BulkResponse", openapi.Schema{
		"type": "object",
		"properties": openapi.Schema{"items": openapi.Schema{"type": "array", "items": openapi.Schema{
			"type": "object",
			"properties": openapi.Schema{
				"index":  openapi.Schema{"type": "integer"},
				"op":     openapi.Schema{"type": "string"},
				"status": openapi.Schema{"type": "integer", "description": "the status the single call would answer"},
				"id":     openapi.Schema{"type": "string"},
				"record": openapi.Ref("Record"),
				"error":  openapi.Ref("Problem"),
			},
		}}},
	})
}

var (
	recordIfMatch = openapi.Param{Name: "If-Match", In: "header",
		Description: "the record _version the change is based on; optional, a stale one is refused with 412 record.stale"}
	langParam = openapi.Param{Name: "Accept-Language", In: "header", Description: "zh-CN (default) or en: the language of error messages"}
)

func (s *Server) recordRoutes(r *Router) {
	registerRecordComponents(s.Spec)
	s.recordCollectionRoutes(r)
	s.recordItemRoutes(r)
	s.migrationRoutes(r)
	s.recordIORoutes(r)
}

func (s *Server) recordCollectionRoutes(r *Router) {
	rec := s.deps.Records
	r.Handle(openapi.Operation{Method: "GET", Path: recordsBase, ID: "listRecords", Tag: "records",
		Summary: "A page of records the caller may read",
		Description: "filter is a JSON filter in the query language; sort is \"field,-field\"; paging is by the opaque " +
			"cursor of the previous page (next). Filters, sorts and searches on hidden or masked fields are refused.",
		Params: []openapi.Param{
			{Name: "filter", In: "query", Description: "JSON filter, e.g. {\"tier\":\"gold\"}"},
			{Name: "sort", In: "query", Description: "e.g. name,-_createdAt (default -_id: newest first)"},
			{Name: "limit", In: "query", Schema: openapi.Schema{"type": "integer", "minimum": 1, "maximum": form.MaxPageSize, "default": form.DefaultPageSize}},
			{Name: "cursor", In: "query", Description: "next of the previous page"},
			{Name: "view", In: "query", Description: "a published view of the form: its filter, sort and columns apply"},
			{Name: "q", In: "query", Description: "search text (substring)"},
			{Name: "searchFields", In: "query", Description: "comma-separated fields to search (default: the text fields)"},
			{Name: "count", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "also return the total"},
			{Name: "deleted", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "list deleted records (delete right)"},
			langParam,
		},
		Response: openapi.Ref("RecordPage"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		limit, err := intQuery(c, "limit", 0, form.MaxPageSize)
		if err != nil {
			return err
		}
		q := form.ListQuery{Filter: []byte(c.Query("filter")), Sort: c.Query("sort"), Limit: limit,
			Cursor: c.Query("cursor"), View: c.Query("view"), Search: c.Query("q"),
			Count: c.QueryBool("count"), Deleted: c.QueryBool("deleted")}
		if sf := strings.TrimSpace(c.Query("searchFields")); sf != "" {
			q.SearchFields = strings.Split(sf, ",")
		}
		page, err := rec.List(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), q)
		if err != nil {
			return err
		}
		return c.JSON(page)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: recordsBase, ID: "createRecord", Tag: "records",
		Summary:     "Create a record",
		Description: "Validated against the published form; every problem is reported at once with its path (422 record.validation).",
		Params: []openapi.Param{
			{Name: "Idempotency-Key", In: "header", Description: "retrying with the same key and body returns the first result; another body is a 409"},
			langParam,
		},
		Request: openapi.Ref("Record"), Response: openapi.Ref("Record"), Status: 201, Errors: []int{404, 409, 413, 422},
	}, func(c *fiber.Ctx) error {
		var in map[string]any
		if err := decodeRecordBody(c, &in); err != nil {
			return err
		}
		o := s.writeOptions(c)
		o.IdempotencyKey = c.Get("Idempotency-Key")
		doc, err := rec.Create(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), in, o)
		if err != nil {
			return err
		}
		c.Location(strings.TrimSuffix(c.Path(), "/") + "/" + idOf(doc))
		return sendRecord(c, doc, fiber.StatusCreated)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: recordsBase + "/bulk", ID: "bulkRecords", Tag: "records",
		Summary:     "Create, update and delete up to 1000 records",
		Description: "Each item runs alone (its own transaction) and gets the status and body the single call would give.",
		Params: []openapi.Param{
			{Name: "Idempotency-Key", In: "header", Description: "item i of a create is idempotent under \"<key>#<i>\""},
			langParam,
		},
		Request: openapi.Ref("BulkRequest"), Response: openapi.Ref("BulkResponse"), Errors: []int{404, 413},
	}, func(c *fiber.Ctx) error {
		var in struct {
			Items []form.BulkOp `json:"items"`
		}
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		o := s.writeOptions(c)
		o.IdempotencyKey = c.Get("Idempotency-Key")
		res, err := rec.Bulk(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), in.Items, o)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": s.bulkItems(c, res)})
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/forms/:form/aggregate", ID: "aggregateRecords", Tag: "records",
		Summary:     "Group and measure the records the caller may read, in the database",
		Description: "Body: {filter, groupBy: [{field, bucket, as}], measures: [{op, field, as}], having, sort, limit, timeZone}.",
		Params:      []openapi.Param{langParam},
		Request:     openapi.Schema{"type": "object"},
		Response:    openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}}, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		if err := checkJSONBody(c); err != nil {
			return err
		}
		rows, err := rec.Aggregate(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Body())
		if err != nil {
			return err
		}
		return c.JSON(rows)
	})
}

func (s *Server) recordItemRoutes(r *Router) {
	rec := s.deps.Records
	item := recordsBase + "/:id"
	r.Handle(openapi.Operation{Method: "GET", Path: item, ID: "getRecord", Tag: "records",
		Summary: "A record (404 also when it is outside the caller's rows)", Params: []openapi.Param{langParam},
		Response: openapi.Ref("Record"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		doc, err := rec.Get(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Params("id"))
		if err != nil {
			return err
		}
		return sendRecord(c, doc, fiber.StatusOK)
	})
	r.Handle(openapi.Operation{Method: "PATCH", Path: item, ID: "patchRecord", Tag: "records",
		Summary: "Change a record (JSON merge patch)",
		Description: "RFC 7396 at the top level: a key sets a field, null clears it, absent keys stay; sub-tables and other " +
			"object or list values are replaced whole.",
		Params:  []openapi.Param{recordIfMatch, langParam},
		Request: openapi.Ref("Record"), RequestType: "application/merge-patch+json",
		Response: openapi.Ref("Record"), Errors: []int{404, 412, 413, 422},
	}, func(c *fiber.Ctx) error {
		var in map[string]any
		if err := decodeRecordBody(c, &in); err != nil {
			return err
		}
		im, err := ifMatch(c)
		if err != nil {
			return err
		}
		doc, err := rec.Patch(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Params("id"), in, int64(im), s.writeOptions(c))
		if err != nil {
			return err
		}
		return sendRecord(c, doc, fiber.StatusOK)
	})
	r.Handle(openapi.Operation{Method: "DELETE", Path: item, ID: "deleteRecord", Tag: "records",
		Summary: "Delete a record (soft: restore brings it back)", Params: []openapi.Param{recordIfMatch, langParam},
		Status: 204, Errors: []int{404, 412},
	}, func(c *fiber.Ctx) error {
		im, err := ifMatch(c)
		if err != nil {
			return err
		}
		if err := rec.Delete(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Params("id"), int64(im), s.writeOptions(c)); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: item + "/restore", ID: "restoreRecord", Tag: "records",
		Summary: "Bring a deleted record back (delete right)", Params: []openapi.Param{langParam},
		Response: openapi.Ref("Record"), Errors: []int{404, 422},
	}, func(c *fiber.Ctx) error {
		doc, err := rec.Restore(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Params("id"), s.writeOptions(c))
		if err != nil {
			return err
		}
		return sendRecord(c, doc, fiber.StatusOK)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: item + "/history", ID: "recordHistory", Tag: "records",
		Summary: "Who changed what when, newest first (field rules apply to old and new values)", Params: []openapi.Param{langParam},
		Response: openapi.Schema{"type": "array", "items": openapi.Ref("Revision")}, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		revs, err := rec.History(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(revs)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: item + "/history/:rev/restore", ID: "restoreRevision", Tag: "records",
		Summary: "Set a record back to the values of an earlier revision (as a new revision)", Params: []openapi.Param{langParam},
		Response: openapi.Ref("Record"), Errors: []int{404, 412, 422},
	}, func(c *fiber.Ctx) error {
		rev, err := strconv.ParseInt(c.Params("rev"), 10, 64)
		if err != nil || rev < 1 {
			return &errs.Error{Class: errs.Invalid, Code: "request.path", Msg: "the revision must be a positive integer",
				Fields: []errs.FieldError{{Path: "rev", Code: "request.path", Message: "must be a positive integer"}}}
		}
		doc, err := rec.RestoreRevision(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), c.Params("id"), rev, s.writeOptions(c))
		if err != nil {
			return err
		}
		return sendRecord(c, doc, fiber.StatusOK)
	})
}
