package api

import (
	"bytes"
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/openapi"
	"github.com/tangram/tangram/templates"
)

// The templates API: the app templates shipped in the binary (package
// templates) and their installation into an app. Listing is open to every
// signed-in user; installing writes definitions of an app, roles included,
// so it is for platform admins signed in with a session.

// installBody is the body of an install; every field is optional.
type installBody struct {
	App       string `json:"app"`
	Publish   *bool  `json:"publish"`
	Overwrite bool   `json:"overwrite"`
	DryRun    bool   `json:"dryRun"`
}

func templateComponents(sp *openapi.Spec) {
	text := openapi.Schema{"type": "object", "description": "by locale: zh-CN and en",
		"additionalProperties": openapi.Schema{"type": "string"}}
	refs := openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string", "description": "kind/key"}}
	sp.Component("Template", openapi.Schema{"type": "object", "required": []string{"name", "title", "description", "definitions"},
		"properties": openapi.Schema{
			"name": openapi.Schema{"type": "string"}, "title": text, "description": text,
			"definitions": openapi.Schema{"type": "integer", "description": "how many definitions it installs"},
		}})
	sp.Component("TemplateInstall", openapi.Schema{"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{
			"app":       openapi.Schema{"type": "string", "default": templates.DefaultApp, "description": "the app to install into (created when new)"},
			"publish":   openapi.Schema{"type": "boolean", "default": true, "description": "publish every installed definition"},
			"overwrite": openapi.Schema{"type": "boolean", "default": false, "description": "replace definitions the app changed (new revisions; the history keeps the edits)"},
			"dryRun":    openapi.Schema{"type": "boolean", "default": false, "description": "report what would happen, write nothing"},
		}})
	sp.Component("TemplateInstallResult", openapi.Schema{"type": "object",
		"required": []string{"template", "app", "dryRun", "created", "updated", "unchanged", "conflicts"},
		"properties": openapi.Schema{
			"template": openapi.Schema{"type": "string"}, "app": openapi.Schema{"type": "string"}, "dryRun": openapi.Schema{"type": "boolean"},
			"created": refs, "updated": refs, "unchanged": refs, "conflicts": refs,
		}})
}

func (s *Server) templateRoutes(r *Router) {
	templateComponents(r.spec)
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/templates", ID: "listTemplates", Tag: "templates",
		Summary:  "The app templates this server ships",
		Response: openapi.Schema{"type": "array", "items": openapi.Ref("Template")},
	}, func(c *fiber.Ctx) error {
		list, err := templates.List()
		if err != nil {
			return err
		}
		return c.JSON(nonNil(list))
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/templates/:template/install", ID: "installTemplate", Tag: "templates",
		Summary: "Install a template (e.g. crm-retail) into an app (platform admin)",
		Description: "Imports the template's definitions in one transaction, published unless publish is false. Idempotent: " +
			"definitions the app has exactly as the template has them are left alone, so installing again changes nothing. " +
			"Definitions the app changed are a 409 template.conflict listing each (errors[].path is kind/key) and nothing " +
			"is written, unless overwrite. Definitions of the app that the template lacks are never touched. Audited.",
		Request:  openapi.Ref("TemplateInstall"),
		Response: openapi.Ref("TemplateInstallResult"), Errors: []int{400, 404, 409, 422},
	}, func(c *fiber.Ctx) error {
		if err := requireAdmin(principal(c)); err != nil {
			return err
		}
		var b installBody
		if len(bytes.TrimSpace(c.Body())) > 0 {
			if err := decodeJSON(c, &b); err != nil {
				return err
			}
		}
		name := param(c, "template")
		o := templates.InstallOptions{App: b.App, Publish: b.Publish == nil || *b.Publish, Overwrite: b.Overwrite, DryRun: b.DryRun}
		if s.deps.Reports != nil {
			// Dashboards read their rollups from the start; the write hook
			// keeps them current afterwards.
			p := principal(c)
			o.Rollups = func(ctx context.Context, app string) error {
				_, err := s.deps.Reports.BuildRollups(ctx, p, app)
				return err
			}
		}
		res, err := templates.Install(c.UserContext(), s.deps.Meta, name, o, caller(c))
		if err != nil {
			return err
		}
		if !o.DryRun {
			s.audit(c, auth.Entry{Action: "template.install", App: res.App, Target: "template:" + name, Details: map[string]any{
				"created": res.Created, "updated": res.Updated, "unchanged": len(res.Unchanged), "published": o.Publish}})
		}
		return c.JSON(res)
	})
}
