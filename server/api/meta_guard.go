package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
)

// target is the definition a meta route addresses.
func target(c *fiber.Ctx) access.Target {
	return access.Target{App: c.Params("app"), Kind: meta.Kind(c.Params("kind")), Key: c.Params("key")}
}

// appTarget addresses a whole app (export, import).
func appTarget(app string) access.Target {
	return access.Target{App: app, Kind: meta.KindApp, Key: app}
}

// canDesign requires the design right on t.
func (s *Server) canDesign(c *fiber.Ctx, t access.Target) error {
	return s.deps.Guard.Check(c.UserContext(), principal(c), t, access.Design)
}

// canSee allows reading a definition to designers and, except for roles
// (which describe other people's rights), to whoever may read it.
func (s *Server) canSee(c *fiber.Ctx, t access.Target) error {
	ctx, p := c.UserContext(), principal(c)
	if err := s.deps.Guard.Check(ctx, p, t, access.Design); err == nil {
		return nil
	}
	if t.Kind == meta.KindRole {
		return access.ErrForbidden
	}
	return s.deps.Guard.Check(ctx, p, t, access.Read)
}

// visible keeps the definitions the caller may see.
func (s *Server) visible(c *fiber.Ctx, defs []meta.Definition) []meta.Definition {
	out := defs[:0]
	for _, d := range defs {
		if s.canSee(c, access.Target{App: d.App, Kind: d.Kind, Key: d.Key}) == nil {
			out = append(out, d)
		}
	}
	return out
}

// auditDef records a definition change; role changes are permission changes
// and get their own action name so they can be found on their own.
func (s *Server) auditDef(c *fiber.Ctx, verb string, d meta.Definition, details map[string]any) {
	action := "meta." + verb
	if d.Kind == meta.KindRole {
		action = "role." + verb
	}
	if details == nil {
		details = map[string]any{}
	}
	details["version"] = d.Version
	details["status"] = string(d.Status)
	s.audit(c, auth.Entry{Action: action, App: d.App, Target: string(d.Kind) + ":" + d.Key, Details: details})
}

// audit appends an entry for the calling principal. A failure to audit is
// logged, not returned: the change it describes has already committed.
func (s *Server) audit(c *fiber.Ctx, e auth.Entry) {
	cl := callerOf(c)
	if cl.Principal != nil {
		e.Actor, e.ActorName = cl.Principal.Actor(), cl.Principal.Username
	}
	e.IP, e.RequestID = cl.IP, cl.RequestID
	if err := s.deps.Auth.Audit.Record(c.UserContext(), e); err != nil {
		s.deps.Log.Error("audit write failed", "action", e.Action, "err", err.Error())
	}
}
