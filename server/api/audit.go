package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/openapi"
)

// auditComponents documents an audit entry.
func auditComponents(sp *openapi.Spec) {
	str := openapi.Schema{"type": "string"}
	sp.Component("AuditEntry", openapi.Schema{"type": "object", "required": []string{"id", "at", "actor", "action"},
		"properties": openapi.Schema{"id": str, "at": openapi.Schema{"type": "string", "format": "date-time"},
			"actor":     openapi.Schema{"type": "string", "description": `user id, "apikey:<id>", "system" or "anonymous"`},
			"actorName": str,
			"action":    openapi.Schema{"type": "string", "description": `dotted, e.g. "auth.login", "user.create", "org.unit_move"`},
			"app":       str, "target": str, "details": openapi.Schema{"type": "object"}, "ip": str, "requestId": str}})
}

func (s *Server) auditRoutes(r *Router) {
	auditComponents(r.spec)
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/audit", ID: "queryAudit", Tag: "audit",
		Summary: "Audit log entries, newest first (admin)",
		Description: `filter may name at, actor, actorName, action, app, target, ip and requestId, e.g. ` +
			`{"action":{"$startsWith":"user."}}. Sign-ins, identity and org changes, definition and permission changes, data writes and exports are all here.`,
		Params:   []openapi.Param{filterP, limitP, cursorP},
		Response: pageSchema("AuditEntry"),
	}, func(c *fiber.Ctx) error {
		// The log tells who did what to whom: it is an admin's, and the
		// audit log itself does not check (other engines write through it).
		if err := requireAdmin(principal(c)); err != nil {
			return err
		}
		f, limit, cursor, err := listParams(c, auth.AuditFields())
		if err != nil {
			return err
		}
		pg, err := s.deps.Auth.Audit.Query(c.UserContext(), auth.AuditQuery{Filter: f, Limit: limit, Cursor: cursor})
		if err != nil {
			return err
		}
		return c.JSON(page[auth.Entry]{Items: nonNil(pg.Entries), Next: pg.Next})
	})
}
