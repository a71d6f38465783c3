package api

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/server/openapi"
)

// defBody is the body of definition create and save.
type defBody struct {
	SchemaVersion int             `json:"schemaVersion"`
	Spec          json.RawMessage `json:"spec"`
}

// versionBody is the body of publish and rollback: the revision meant.
type versionBody struct {
	Version int `json:"version"`
}

func registerComponents(sp *openapi.Spec) {
	sp.Component("Definition", openapi.Schema{
		"type":     "object",
		"required": []string{"kind", "app", "key", "schemaVersion", "version", "status", "spec"},
		"properties": openapi.Schema{
			"kind":          openapi.Schema{"type": "string", "enum": meta.KindNames()},
			"app":           openapi.Schema{"type": "string"},
			"key":           openapi.Schema{"type": "string"},
			"schemaVersion": openapi.Schema{"type": "integer", "description": "format of spec; older formats are migrated on read"},
			"version":       openapi.Schema{"type": "integer", "description": "revision; send it back in If-Match"},
			"status":        openapi.Schema{"type": "string", "enum": []string{"draft", "published", "superseded"}},
			"spec":          openapi.Schema{"type": "object", "description": "kind-specific body, validated by the kind's meta-schema"},
			"updatedBy":     openapi.Schema{"type": "string"},
			"updatedAt":     openapi.Schema{"type": "string", "format": "date-time"},
			"publishedAt":   openapi.Schema{"type": "string", "format": "date-time"},
		},
	})
	sp.Component("DefinitionInput", openapi.Schema{
		"type": "object", "required": []string{"spec"}, "additionalProperties": false,
		"properties": openapi.Schema{
			"schemaVersion": openapi.Schema{"type": "integer", "description": "defaults to the kind's current format"},
			"spec":          openapi.Schema{"type": "object"},
		},
	})
	sp.Component("Bundle", openapi.Schema{
		"type": "object", "required": []string{"format", "formatVersion", "app", "definitions"},
		"properties": openapi.Schema{
			"format":        openapi.Schema{"type": "string", "const": "tangram.app"},
			"formatVersion": openapi.Schema{"type": "integer"},
			"app":           openapi.Schema{"type": "string"},
			"exportedAt":    openapi.Schema{"type": "string"},
			"definitions":   openapi.Schema{"type": "array", "items": openapi.Ref("Definition")},
		},
	})
}

var (
	defList  = openapi.Schema{"type": "array", "items": openapi.Ref("Definition")}
	ifMatchP = openapi.Param{Name: "If-Match", In: "header", Description: "the version the change is based on (412 when stale)"}
)

func (s *Server) metaRoutes(r *Router) {
	m := s.deps.Meta
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps", ID: "listApps", Tag: "meta",
		Summary: "Apps visible to the caller (their app definitions)", Response: defList,
	}, func(c *fiber.Ctx) error {
		apps, err := m.Apps(c.UserContext())
		if err != nil {
			return err
		}
		return c.JSON(nonNil(s.visible(c, apps)))
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/meta/:kind", ID: "listDefinitions", Tag: "meta",
		Summary: "Latest revision of every definition of a kind in an app", Response: defList, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		list, err := m.List(c.UserContext(), c.Params("app"), meta.Kind(c.Params("kind")))
		if err != nil {
			return err
		}
		return c.JSON(nonNil(s.visible(c, list)))
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/meta/:kind/:key", ID: "getDefinition", Tag: "meta",
		Summary: "A definition: the latest revision, or ?version=N, or ?status=published",
		Params: []openapi.Param{
			{Name: "version", In: "query", Schema: openapi.Schema{"type": "integer"}},
			{Name: "status", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"published"}}},
		},
		Response: openapi.Ref("Definition"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		app, kind, key := c.Params("app"), meta.Kind(c.Params("kind")), c.Params("key")
		if err := s.canSee(c, target(c)); err != nil {
			return err
		}
		v, err := intQuery(c, "version", 0, 1<<30)
		if err != nil {
			return err
		}
		var d meta.Definition
		switch {
		case v > 0:
			d, err = m.GetVersion(c.UserContext(), app, kind, key, v)
		case c.Query("status") == "published":
			d, err = m.Published(c.UserContext(), app, kind, key)
		default:
			d, err = m.Get(c.UserContext(), app, kind, key)
		}
		return sendDef(c, d, err, fiber.StatusOK)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/meta/:kind/:key", ID: "createDefinition", Tag: "meta",
		Summary: "Create a definition (version 1, draft)", Request: openapi.Ref("DefinitionInput"),
		Response: openapi.Ref("Definition"), Status: 201, Errors: []int{404, 409, 413, 422},
	}, func(c *fiber.Ctx) error {
		var b defBody
		return s.writeDef(c, defWrite{verb: "create", status: fiber.StatusCreated, body: &b}, func(int) (meta.Definition, map[string]any, error) {
			d, err := m.Create(c.UserContext(), s.defFrom(c, b), caller(c))
			return d, nil, err
		})
	})
	r.Handle(openapi.Operation{Method: "PUT", Path: "/api/apps/:app/meta/:kind/:key", ID: "saveDefinition", Tag: "meta",
		Summary: "Save a new draft revision", Description: "If-Match must carry the latest version; a stale one is refused with 412.",
		Params:  []openapi.Param{{Name: "If-Match", In: "header", Required: true, Description: ifMatchP.Description}},
		Request: openapi.Ref("DefinitionInput"), Response: openapi.Ref("Definition"), Errors: []int{404, 412, 413, 422},
	}, func(c *fiber.Ctx) error {
		var b defBody
		return s.writeDef(c, defWrite{verb: "save", body: &b, ifMatch: true}, func(im int) (meta.Definition, map[string]any, error) {
			d, err := m.Save(c.UserContext(), s.defFrom(c, b), im, caller(c))
			return d, map[string]any{"before": im}, err
		})
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/meta/:kind/:key/publish", ID: "publishDefinition", Tag: "meta",
		Summary: "Publish a revision (default: the latest) atomically", Params: []openapi.Param{ifMatchP},
		Request:  openapi.Schema{"type": "object", "properties": openapi.Schema{"version": openapi.Schema{"type": "integer"}}},
		Response: openapi.Ref("Definition"), Errors: []int{404, 412},
	}, func(c *fiber.Ctx) error {
		var b versionBody
		return s.writeDef(c, defWrite{verb: "publish", body: &b, bodyOptional: true, ifMatch: true}, func(im int) (meta.Definition, map[string]any, error) {
			d, err := m.Publish(c.UserContext(), c.Params("app"), meta.Kind(c.Params("kind")), c.Params("key"), b.Version, im, caller(c))
			return d, nil, err
		})
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/meta/:kind/:key/rollback", ID: "rollbackDefinition", Tag: "meta",
		Summary:  "Republish an old revision's spec as a new published revision",
		Params:   []openapi.Param{ifMatchP},
		Request:  openapi.Schema{"type": "object", "required": []string{"version"}, "properties": openapi.Schema{"version": openapi.Schema{"type": "integer"}}},
		Response: openapi.Ref("Definition"), Errors: []int{404, 412},
	}, func(c *fiber.Ctx) error {
		var b versionBody
		return s.writeDef(c, defWrite{verb: "rollback", body: &b, ifMatch: true}, func(im int) (meta.Definition, map[string]any, error) {
			d, err := m.Rollback(c.UserContext(), c.Params("app"), meta.Kind(c.Params("kind")), c.Params("key"), b.Version, im, caller(c))
			return d, map[string]any{"from": b.Version}, err
		})
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/meta/:kind/:key/versions", ID: "listVersions", Tag: "meta",
		Summary: "Every revision of a definition, newest first", Response: defList, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		if err := s.canSee(c, target(c)); err != nil {
			return err
		}
		list, err := m.Versions(c.UserContext(), c.Params("app"), meta.Kind(c.Params("kind")), c.Params("key"))
		if err != nil {
			return err
		}
		return c.JSON(nonNil(list))
	})
	s.bundleRoutes(r)
}

func (s *Server) bundleRoutes(r *Router) {
	m := s.deps.Meta
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/export", ID: "exportApp", Tag: "meta",
		Summary: "Export an app's definitions as one JSON file", Response: openapi.Ref("Bundle"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		if err := s.canDesign(c, appTarget(c.Params("app"))); err != nil {
			return err
		}
		b, err := m.Export(c.UserContext(), c.Params("app"))
		if err != nil {
			return err
		}
		s.audit(c, auth.Entry{Action: "meta.export", App: c.Params("app"), Details: map[string]any{"definitions": len(b.Definitions)}})
		c.Attachment(c.Params("app") + ".tangram.json")
		return c.JSON(b)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/import", ID: "importApp", Tag: "meta",
		Summary: "Import an exported app file into :app (renaming it when different)",
		Params: []openapi.Param{
			{Name: "dryRun", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "validate only"},
			{Name: "publish", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "publish imported definitions"},
			{Name: "overwrite", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "replace existing keys with new revisions"},
		},
		Request: openapi.Ref("Bundle"), Response: openapi.Schema{"type": "object"}, Errors: []int{409, 413, 422},
	}, func(c *fiber.Ctx) error {
		if err := s.canDesign(c, appTarget(c.Params("app"))); err != nil {
			return err
		}
		var b meta.Bundle
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		opt := meta.ImportOptions{DryRun: c.QueryBool("dryRun"), Publish: c.QueryBool("publish"),
			Overwrite: c.QueryBool("overwrite"), TargetApp: c.Params("app")}
		res, err := m.Import(c.UserContext(), b, opt, caller(c))
		if err != nil {
			return err
		}
		if !opt.DryRun {
			s.audit(c, auth.Entry{Action: "meta.import", App: opt.TargetApp, Details: map[string]any{
				"created": res.Created, "updated": res.Updated, "unchanged": len(res.Unchanged)}})
		}
		return c.JSON(res)
	})
}

// defWrite describes a definition write route (create, save, publish,
// rollback) for writeDef.
type defWrite struct {
	verb         string // audited as meta.<verb> (role.<verb> for roles)
	status       int    // of the answer; 0 is 200
	body         any    // the JSON body is decoded into it
	bodyOptional bool   // an empty body is allowed
	ifMatch      bool   // If-Match is read and handed to change
}

// writeDef is what the definition write routes share: the design right on
// the addressed definition, the body, If-Match, then change (the service
// call, with the audit details it adds), the audit entry of a change that
// succeeded, and the definition with its ETag as the answer.
func (s *Server) writeDef(c *fiber.Ctx, w defWrite, change func(ifMatch int) (meta.Definition, map[string]any, error)) error {
	if err := s.canDesign(c, target(c)); err != nil {
		return err
	}
	if !w.bodyOptional || len(c.Body()) > 0 {
		if err := decodeJSON(c, w.body); err != nil {
			return err
		}
	}
	im := 0
	if w.ifMatch {
		var err error
		if im, err = ifMatch(c); err != nil {
			return err
		}
	}
	d, details, err := change(im)
	if err == nil {
		s.auditDef(c, w.verb, d, details)
	}
	status := w.status
	if status == 0 {
		status = fiber.StatusOK
	}
	return sendDef(c, d, err, status)
}

// defFrom builds the definition addressed by the route from a body.
func (s *Server) defFrom(c *fiber.Ctx, b defBody) meta.Definition {
	return meta.Definition{Kind: meta.Kind(c.Params("kind")), App: c.Params("app"), Key: c.Params("key"),
		SchemaVersion: b.SchemaVersion, Spec: b.Spec}
}

// sendDef answers with a definition and its version as ETag.
func sendDef(c *fiber.Ctx, d meta.Definition, err error, status int) error {
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, `"`+strconv.Itoa(d.Version)+`"`)
	return c.Status(status).JSON(d)
}

// caller names the principal making the request, as recorded in
// updatedBy/publishedBy: the user id or "apikey:<id>".
func caller(c *fiber.Ctx) string {
	if u, ok := c.Locals("user").(string); ok && u != "" {
		return u
	}
	return "anonymous"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
