package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/server/openapi"
)

// The migrations API: converting the stored values of a form's field so
// that a type change refused on save becomes acceptable, or filling a
// field's empty values so that it can be made required (engine/form,
// migrate.go). It needs the design right on the form.

// migrationBudget bounds one call, well inside the server's write timeout;
// a longer migration answers 202 and the next call resumes it.
const migrationBudget = 20 * time.Second

func registerMigrationComponents(sp *openapi.Spec) {
	sp.Component("MigrationRequest", openapi.Schema{
		"type": "object", "required": []string{"field"}, "additionalProperties": false,
		"description": "One of toType, to, version or fill; with none, values that do not fit the published definition are converted.",
		"properties": openapi.Schema{
			"field":     openapi.Schema{"type": "string", "description": "the field's key"},
			"toType":    openapi.Schema{"type": "string", "description": "this type, keeping the field's label, flags and options (other settings take the type's defaults)"},
			"to":        openapi.Schema{"type": "object", "description": "a whole target field object (same key)"},
			"version":   openapi.Schema{"type": "integer", "description": "the field as defined in this revision of the form"},
			"fill":      openapi.Schema{"description": "a value for records without one, as a client would send it"},
			"onInvalid": openapi.Schema{"type": "string", "enum": []string{"keep", "clear"}, "default": "keep"},
			"batchSize": openapi.Schema{"type": "integer", "minimum": 1, "maximum": 5000, "default": 500},
		},
	})
	counts := openapi.Schema{"type": "integer"}
	sp.Component("MigrationReport", openapi.Schema{
		"type": "object",
		"properties": openapi.Schema{
			"id": openapi.Schema{"type": "string"}, "field": openapi.Schema{"type": "string"},
			"mode":     openapi.Schema{"type": "string", "enum": []string{"convert", "fill"}},
			"fromType": openapi.Schema{"type": "string"}, "toType": openapi.Schema{"type": "string"},
			"dryRun": openapi.Schema{"type": "boolean"},
			"status": openapi.Schema{"type": "string", "enum": []string{"dry-run", "running", "done"}},
			"pass":   counts, "scanned": counts, "changed": counts, "unchanged": counts, "failed": counts, "cleared": counts, "batches": counts,
			"samples": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
				"id": openapi.Schema{"type": "string"}, "value": openapi.Schema{}, "problem": openapi.Schema{"type": "string"}}}},
			"next": openapi.Schema{"type": "string", "description": "what to do next"},
		},
	})
}

func (s *Server) migrationRoutes(r *Router) {
	registerMigrationComponents(s.Spec)
	rec := s.deps.Records
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/forms/:form/migrations", ID: "migrateField", Tag: "records",
		Summary: "Convert or fill the stored values of one field (dryRun=true counts without writing)",
		Description: "Converts in batches, each batch one transaction with the job's progress: resumable and never converting a record twice. " +
			"200 when done (or for a dry run); 202 when this call's time ran out: call again to resume. Needs the design right on the form.",
		Params: []openapi.Param{
			{Name: "dryRun", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "count what would change or fail, write nothing"},
			langParam,
		},
		Request: openapi.Ref("MigrationRequest"), Response: openapi.Ref("MigrationReport"), Errors: []int{404, 409, 422},
	}, func(c *fiber.Ctx) error {
		var req form.MigrationRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		req.DryRun, req.Budget = c.QueryBool("dryRun"), migrationBudget
		rep, err := rec.Migrate(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), req)
		if err != nil {
			return err
		}
		status := fiber.StatusOK
		if rep.Status == form.JobRunning {
			status = fiber.StatusAccepted
		}
		return c.Status(status).JSON(rep)
	})
}
