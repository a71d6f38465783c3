package api

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/server/openapi"
)

// moveBody moves a unit. parentId must be present: null or "" makes the
// unit a root, so an empty body cannot uproot a unit by accident.
type moveBody struct {
	ParentID json.RawMessage `json:"parentId"`
}

// parent reads parentId: "" for a root.
func (b moveBody) parent() (string, error) {
	raw := bytes.TrimSpace(b.ParentID)
	if len(raw) == 0 {
		return "", errs.Validation(errs.Unprocessable, "org.invalid_move", "the move is invalid",
			[]errs.FieldError{{Path: "parentId", Code: "org.required", Message: "required: the new parent's id, or null to make a root"}})
	}
	if string(raw) == "null" {
		return "", nil
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", &errs.Error{Class: errs.Invalid, Code: "request.type", Msg: "a value in the body has the wrong type",
			Fields: []errs.FieldError{{Path: "parentId", Code: "request.type", Message: "expected a string or null"}}}
	}
	return id, nil
}

// kindBody names a unit kind; the key is in the path.
type kindBody struct {
	Name string `json:"name"`
}

// positionBody describes a position; the key is in the path.
type positionBody struct {
	Name    string `json:"name"`
	Manager bool   `json:"manager"`
}

// subtree is a unit and the ids of it and all its descendants.
type subtree struct {
	UnitID string   `json:"unitId"`
	IDs    []string `json:"ids"`
}

// orgComponents documents the org tree shapes.
func orgComponents(sp *openapi.Spec) {
	str := openapi.Schema{"type": "string"}
	ts := openapi.Schema{"type": "string", "format": "date-time"}
	sp.Component("Unit", openapi.Schema{"type": "object", "required": []string{"id", "kind", "name", "code", "path", "version"},
		"properties": openapi.Schema{"id": str, "kind": str, "name": str, "code": str,
			"parentId": openapi.Schema{"type": "string", "description": "absent for a root"},
			"path":     openapi.Schema{"type": "string", "description": "materialized ancestor path /<root>/.../<self>/"},
			"version":  openapi.Schema{"type": "integer"}, "createdAt": ts, "updatedAt": ts}})
	sp.Component("UnitInput", openapi.Schema{"type": "object", "required": []string{"kind", "name", "code"}, "additionalProperties": false,
		"properties": openapi.Schema{"kind": openapi.Schema{"type": "string", "description": "a unit kind key"}, "name": str,
			"code":     openapi.Schema{"type": "string", "description": "unique; letters, digits, _ . -"},
			"parentId": openapi.Schema{"type": "string", "description": "absent or empty: a root"}}})
	sp.Component("UnitPatch", openapi.Schema{"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{"kind": str, "name": str, "code": str}})
	sp.Component("UnitKind", openapi.Schema{"type": "object", "required": []string{"key", "name"},
		"properties": openapi.Schema{"key": str, "name": str}})
	sp.Component("Position", openapi.Schema{"type": "object", "required": []string{"key", "name", "manager"},
		"properties": openapi.Schema{"key": str, "name": str, "manager": openapi.Schema{"type": "boolean",
			"description": "holders are managers of the unit's members"}}})
}

func (s *Server) orgRoutes(r *Router) {
	orgComponents(r.spec)
	s.unitRoutes(r)
	s.orgDataRoutes(r)
}

func (s *Server) unitRoutes(r *Router) {
	a := s.deps.Auth
	unit := openapi.Ref("Unit")
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/org/units", ID: "listUnits", Tag: "org",
		Summary:  "The children of a unit, or the roots (any signed-in user)",
		Params:   []openapi.Param{{Name: "parent", In: "query", Description: "parent unit id; absent: the roots"}},
		Response: openapi.Schema{"type": "array", "items": unit},
	}, func(c *fiber.Ctx) error {
		units, err := a.ListUnits(c.UserContext(), strings.Clone(c.Query("parent")))
		if err != nil {
			return err
		}
		return c.JSON(nonNil(units))
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/org/units", ID: "createUnit", Tag: "org",
		Summary: "Create a unit (admin)", Request: openapi.Ref("UnitInput"), Response: unit, Status: 201, Errors: []int{409, 422},
	}, func(c *fiber.Ctx) error {
		var in auth.UnitInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		u, err := a.CreateUnit(c.UserContext(), callerOf(c), in)
		if err != nil {
			return err
		}
		c.Location("/api/org/units/" + u.ID)
		return c.Status(fiber.StatusCreated).JSON(u)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/org/units/:id", ID: "getUnit", Tag: "org",
		Summary: "One unit (any signed-in user)", Response: unit, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		u, err := a.GetUnit(c.UserContext(), param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(u)
	})
	r.Handle(openapi.Operation{Method: "PATCH", Path: "/api/org/units/:id", ID: "updateUnit", Tag: "org",
		Summary: "Change a unit's kind, name or code (admin); moving is /move", Request: openapi.Ref("UnitPatch"),
		Response: unit, Errors: []int{404, 409, 422},
	}, func(c *fiber.Ctx) error {
		var p auth.UnitPatch
		if err := decodeJSON(c, &p); err != nil {
			return err
		}
		u, err := a.UpdateUnit(c.UserContext(), callerOf(c), param(c, "id"), p)
		if err != nil {
			return err
		}
		return c.JSON(u)
	})
	r.Handle(openapi.Operation{Method: "DELETE", Path: "/api/org/units/:id", ID: "deleteUnit", Tag: "org",
		Summary: "Delete a unit without sub-units or members (admin)", Status: 204, Errors: []int{404, 409},
	}, func(c *fiber.Ctx) error {
		if err := a.DeleteUnit(c.UserContext(), callerOf(c), param(c, "id")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/org/units/:id/move", ID: "moveUnit", Tag: "org",
		Summary:     "Move a unit under another parent (admin)",
		Description: "The unit's whole subtree follows in one transaction. Moving a unit under itself or its own descendant is 422 org.move_cycle.",
		Request: openapi.Schema{"type": "object", "required": []string{"parentId"}, "additionalProperties": false,
			"properties": openapi.Schema{"parentId": openapi.Schema{"type": []string{"string", "null"}, "description": "the new parent; null or empty: a root"}}},
		Response: unit, Errors: []int{404, 422},
	}, func(c *fiber.Ctx) error {
		var b moveBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		parentID, err := b.parent()
		if err != nil {
			return err
		}
		ctx, id := c.UserContext(), param(c, "id")
		if err := a.MoveUnit(ctx, callerOf(c), id, parentID); err != nil {
			return s.moveError(c, err, id)
		}
		u, err := a.GetUnit(ctx, id)
		if err != nil {
			return err
		}
		return c.JSON(u)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/org/units/:id/subtree", ID: "unitSubtree", Tag: "org",
		Summary: "The ids of a unit and all its descendants (any signed-in user)", Errors: []int{404},
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{"unitId": openapi.Schema{"type": "string"},
			"ids": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}}}},
	}, func(c *fiber.Ctx) error {
		id := param(c, "id")
		ids, err := a.Subtree(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(subtree{UnitID: id, IDs: nonNil(ids)})
	})
}

// moveError tells a missing new parent (a bad body: 422 at parentId) from a
// missing unit (a bad path: 404); the service answers both with
// org.unit_not_found.
func (s *Server) moveError(c *fiber.Ctx, err error, id string) error {
	if !errs.HasCode(err, auth.ErrUnitNotFound.Code) {
		return err
	}
	if _, gerr := s.deps.Auth.GetUnit(c.UserContext(), id); gerr != nil {
		return err
	}
	return errs.Validation(errs.Unprocessable, "org.invalid_move", "the move is invalid",
		[]errs.FieldError{{Path: "parentId", Code: auth.ErrUnitNotFound.Code, Message: "no such unit"}})
}

// orgDataRoutes serves unit kinds and positions: data an admin edits, not
// code, so a chain can add 片区 or 专柜 without a release.
func (s *Server) orgDataRoutes(r *Router) {
	a := s.deps.Auth
	nameOnly := openapi.Schema{"type": "object", "required": []string{"name"}, "additionalProperties": false,
		"properties": openapi.Schema{"name": openapi.Schema{"type": "string"}}}
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/org/kinds", ID: "listUnitKinds", Tag: "org",
		Summary: "Unit kinds, by key (any signed-in user)", Response: openapi.Schema{"type": "array", "items": openapi.Ref("UnitKind")},
	}, func(c *fiber.Ctx) error {
		kinds, err := a.ListUnitKinds(c.UserContext())
		if err != nil {
			return err
		}
		return c.JSON(nonNil(kinds))
	})
	r.Handle(openapi.Operation{Method: "PUT", Path: "/api/org/kinds/:key", ID: "putUnitKind", Tag: "org",
		Summary: "Create or rename a unit kind (admin)", Request: nameOnly, Response: openapi.Ref("UnitKind"), Errors: []int{422},
	}, func(c *fiber.Ctx) error {
		var b kindBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		k := auth.UnitKind{Key: param(c, "key"), Name: b.Name}
		if err := a.PutUnitKind(c.UserContext(), callerOf(c), k); err != nil {
			return err
		}
		k.Name = strings.TrimSpace(k.Name) // as the service stored it
		return c.JSON(k)
	})
	r.Handle(openapi.Operation{Method: "DELETE", Path: "/api/org/kinds/:key", ID: "deleteUnitKind", Tag: "org",
		Summary: "Delete a unit kind no unit uses (admin); in use is 409 org.kind_in_use", Status: 204, Errors: []int{404, 409},
	}, func(c *fiber.Ctx) error {
		if err := a.DeleteUnitKind(c.UserContext(), callerOf(c), param(c, "key")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/org/positions", ID: "listPositions", Tag: "org",
		Summary: "Positions, by key (any signed-in user)", Response: openapi.Schema{"type": "array", "items": openapi.Ref("Position")},
	}, func(c *fiber.Ctx) error {
		ps, err := a.ListPositions(c.UserContext())
		if err != nil {
			return err
		}
		return c.JSON(nonNil(ps))
	})
	r.Handle(openapi.Operation{Method: "PUT", Path: "/api/org/positions/:key", ID: "putPosition", Tag: "org",
		Summary: "Create or change a position (admin)", Response: openapi.Ref("Position"), Errors: []int{422},
		Request: openapi.Schema{"type": "object", "required": []string{"name"}, "additionalProperties": false,
			"properties": openapi.Schema{"name": openapi.Schema{"type": "string"}, "manager": openapi.Schema{"type": "boolean"}}},
	}, func(c *fiber.Ctx) error {
		var b positionBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		p := auth.Position{Key: param(c, "key"), Name: b.Name, Manager: b.Manager}
		if err := a.PutPosition(c.UserContext(), callerOf(c), p); err != nil {
			return err
		}
		p.Name = strings.TrimSpace(p.Name)
		return c.JSON(p)
	})
	r.Handle(openapi.Operation{Method: "DELETE", Path: "/api/org/positions/:key", ID: "deletePosition", Tag: "org",
		Summary: "Delete a position nobody holds (admin); held is 409 org.position_in_use", Status: 204, Errors: []int{404, 409},
	}, func(c *fiber.Ctx) error {
		if err := a.DeletePosition(c.UserContext(), callerOf(c), param(c, "key")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}
