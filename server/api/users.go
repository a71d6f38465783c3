package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/server/openapi"
)

// identityRoutes registers the identity administration routes: users, API
// keys, the org tree with its unit kinds and positions, and the audit log.
// The identity service guards its own writes and administrative lists
// (Config.Authorize); the reads it leaves open are guarded here.
func (s *Server) identityRoutes(r *Router) {
	s.userDirectoryRoutes(r) // before /api/users/:id
	s.userRoutes(r)
	s.apiKeyRoutes(r)
	s.orgRoutes(r)
	s.auditRoutes(r)
}

// requireAdmin admits a platform admin signed in with a session, the
// identity service's default policy for administrative actions. API keys
// never pass: they are scoped to apps, not to identity administration.
func requireAdmin(p *auth.Principal) error {
	if p != nil && p.Admin && p.APIKey == nil {
		return nil
	}
	return auth.ErrForbidden
}

// selfOrAdmin admits the user id themselves or an admin. A non-admin asking
// about someone else is refused before any lookup, so the answer does not
// tell whether that user exists.
func selfOrAdmin(p *auth.Principal, id string) error {
	if p != nil && p.UserID != "" && p.UserID == id {
		return nil
	}
	return requireAdmin(p)
}

// param copies a path parameter. Fiber's values point into a buffer reused
// by the next request, and the identity service may keep ids (its subtree
// cache is keyed by unit id).
func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// page is one page of a keyset-paged list.
type page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// pageSchema documents page[T] for the component item.
func pageSchema(item string) openapi.Schema {
	return openapi.Schema{"type": "object", "required": []string{"items"}, "properties": openapi.Schema{
		"items": openapi.Schema{"type": "array", "items": openapi.Ref(item)},
		"next":  openapi.Schema{"type": "string", "description": "cursor of the next page; absent on the last page"},
	}}
}

// Query parameters shared by the paged lists.
var (
	filterP = openapi.Param{Name: "filter", In: "query",
		Description: `JSON filter in the safe Mongo-like subset, e.g. {"username":{"$startsWith":"li"}}`}
	limitP = openapi.Param{Name: "limit", In: "query", Description: "page size (default 50, at most 500)",
		Schema: openapi.Schema{"type": "integer", "minimum": 0, "maximum": auth.MaxPageSize}}
	cursorP = openapi.Param{Name: "cursor", In: "query", Description: "the next value of the previous page"}
)

// listParams reads filter, limit and cursor against fields. Every problem
// is a 400 whose field errors start with "filter" or name the parameter.
func listParams(c *fiber.Ctx, fields query.Fields) (*query.Node, int, string, error) {
	f, err := query.ParseFilter([]byte(c.Query("filter")), fields, query.Options{Root: "filter"})
	if err != nil {
		return nil, 0, "", err
	}
	limit, err := intQuery(c, "limit", auth.DefaultPageSize, auth.MaxPageSize)
	if err != nil {
		return nil, 0, "", err
	}
	return f, limit, strings.Clone(c.Query("cursor")), nil
}

// userListSort checks the sort parameter. The service pages users by
// username only, so any other order is refused rather than ignored.
func userListSort(c *fiber.Ctx) error {
	keys, err := query.ParseSort(c.Query("sort"), auth.UserFields())
	if err != nil {
		return err
	}
	if len(keys) == 0 || (len(keys) == 1 && keys[0].Field.Path == "username" && !keys[0].Desc) {
		return nil
	}
	return &errs.Error{Class: errs.Invalid, Code: "query.sort", Msg: "the sort is invalid",
		Fields: []errs.FieldError{{Path: "sort", Code: "query.sort", Message: `users are listed by username; use "username" or leave sort out`}}}
}

// passwordBody is an administrator's password reset.
type passwordBody struct {
	Password string `json:"password"`
}

// managerRef names one manager in a chain.
type managerRef struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
}

// managerLevel is one step of a manager chain with the unit and the
// managers named, so a user can see who their managers are without the
// right to read other users' records.
type managerLevel struct {
	UnitID   string       `json:"unitId"`
	UnitName string       `json:"unitName"`
	UserIDs  []string     `json:"userIds"`
	Managers []managerRef `json:"managers"`
}

// userComponents documents the user shapes.
func userComponents(sp *openapi.Spec) {
	str, boolean := openapi.Schema{"type": "string"}, openapi.Schema{"type": "boolean"}
	ts := openapi.Schema{"type": "string", "format": "date-time"}
	memberships := openapi.Schema{"type": "array", "items": openapi.Ref("Membership")}
	roles := openapi.Schema{"type": "array", "items": openapi.Ref("RoleRef")}
	sp.Component("Membership", openapi.Schema{"type": "object", "required": []string{"unitId", "position"},
		"additionalProperties": false, "properties": openapi.Schema{"unitId": str, "position": str}})
	sp.Component("RoleRef", openapi.Schema{"type": "object", "required": []string{"app", "role"},
		"additionalProperties": false, "properties": openapi.Schema{"app": str, "role": str}})
	sp.Component("User", openapi.Schema{"type": "object",
		"required": []string{"id", "username", "displayName", "admin", "disabled", "memberships", "roles", "version"},
		"properties": openapi.Schema{"id": str, "username": str, "displayName": str, "admin": boolean,
			"disabled": boolean, "memberships": memberships, "roles": roles,
			"lockedUntil": openapi.Schema{"type": "string", "format": "date-time",
				"description": "set while the account is locked after repeated wrong passwords"},
			"lastLoginAt": ts, "version": openapi.Schema{"type": "integer"}, "createdAt": ts, "updatedAt": ts}})
	sp.Component("UserInput", openapi.Schema{"type": "object", "required": []string{"username", "password"},
		"additionalProperties": false, "properties": openapi.Schema{
			"username":    openapi.Schema{"type": "string", "description": "2–64 characters: lower-case letters, digits and . _ @ - (stored lower case)"},
			"displayName": str,
			"password":    openapi.Schema{"type": "string", "description": "at least 10 characters of at least three classes; not the username; not a common password"},
			"admin":       boolean, "memberships": memberships, "roles": roles}})
	sp.Component("UserPatch", openapi.Schema{"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{"displayName": str, "admin": boolean, "memberships": memberships, "roles": roles}})
	sp.Component("ManagerLevel", openapi.Schema{"type": "object", "properties": openapi.Schema{
		"unitId": str, "unitName": str, "userIds": openapi.Schema{"type": "array", "items": str},
		"managers": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object",
			"properties": openapi.Schema{"id": str, "username": str, "displayName": str}}}}})
}

func (s *Server) userRoutes(r *Router) {
	userComponents(r.spec)
	a := s.deps.Auth
	user := openapi.Ref("User")
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/users", ID: "listUsers", Tag: "users",
		Summary:     "List users (admin)",
		Description: "Pages users ordered by username. filter may name username, displayName, admin, disabled, unitIds, positions, createdAt and lastLoginAt.",
		Params: []openapi.Param{filterP, limitP, cursorP,
			{Name: "sort", In: "query", Description: `only "username" (the default) is supported`}},
		Response: pageSchema("User"),
	}, func(c *fiber.Ctx) error {
		f, limit, cursor, err := listParams(c, auth.UserFields())
		if err != nil {
			return err
		}
		if err := userListSort(c); err != nil {
			return err
		}
		pg, err := a.ListUsers(c.UserContext(), callerOf(c), auth.UserList{Filter: f, Limit: limit, Cursor: cursor})
		if err != nil {
			return err
		}
		return c.JSON(page[*auth.User]{Items: nonNil(pg.Users), Next: pg.Next})
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/users", ID: "createUser", Tag: "users",
		Summary:     "Create a user (admin)",
		Description: "Every problem (username, password policy, display name, units, positions, roles) comes back at once as 422 with paths; a taken username is 409 auth.user_exists.",
		Request:     openapi.Ref("UserInput"), Response: user, Status: 201, Errors: []int{409, 422},
	}, func(c *fiber.Ctx) error {
		var in auth.UserInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		u, err := a.CreateUser(c.UserContext(), callerOf(c), in)
		if err != nil {
			return err
		}
		c.Location("/api/users/" + u.ID)
		return c.Status(fiber.StatusCreated).JSON(u)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/users/:id", ID: "getUser", Tag: "users",
		Summary: "One user (yourself, or anyone for an admin)", Response: user, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		id := param(c, "id")
		if err := selfOrAdmin(principal(c), id); err != nil {
			return err
		}
		u, err := a.GetUser(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(u)
	})
	r.Handle(openapi.Operation{Method: "PATCH", Path: "/api/users/:id", ID: "updateUser", Tag: "users",
		Summary:     "Change a user",
		Description: "Fields left out stay. Users may change their own displayName; admin, memberships and roles are an admin's.",
		Request:     openapi.Ref("UserPatch"), Response: user, Errors: []int{404, 422},
	}, func(c *fiber.Ctx) error {
		var p auth.UserPatch
		if err := decodeJSON(c, &p); err != nil {
			return err
		}
		u, err := a.UpdateUser(c.UserContext(), callerOf(c), param(c, "id"), p)
		if err != nil {
			return err
		}
		return c.JSON(u)
	})
	for _, st := range []struct {
		verb, id, summary string
		disabled          bool
	}{
		{"disable", "disableUser", "Disable a user (admin); their sessions and API keys stop working at once", true},
		{"enable", "enableUser", "Enable a disabled user (admin)", false},
	} {
		r.Handle(openapi.Operation{Method: "POST", Path: "/api/users/:id/" + st.verb, ID: st.id, Tag: "users",
			Summary: st.summary, Response: user, Errors: []int{404, 409},
		}, func(c *fiber.Ctx) error {
			id := param(c, "id")
			if err := a.SetDisabled(c.UserContext(), callerOf(c), id, st.disabled); err != nil {
				return err
			}
			u, err := a.GetUser(c.UserContext(), id)
			if err != nil {
				return err
			}
			return c.JSON(u)
		})
	}
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/users/:id/password", ID: "resetPassword", Tag: "users",
		Summary:     "Set a user's password (admin)",
		Description: "Clears any lockout and ends the user's sessions. A password that breaks the policy is 422 with path password.",
		Request: openapi.Schema{"type": "object", "required": []string{"password"}, "additionalProperties": false,
			"properties": openapi.Schema{"password": openapi.Schema{"type": "string"}}},
		Status: 204, Errors: []int{404, 422},
	}, func(c *fiber.Ctx) error {
		var b passwordBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		if err := a.ResetPassword(c.UserContext(), callerOf(c), param(c, "id"), b.Password); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/users/:id/managers", ID: "userManagers", Tag: "users",
		Summary:     "A user's manager chain (yourself, or anyone for an admin)",
		Description: "Nearest managers first: the enabled holders of a manager position in the user's first unit, then its parent, up to the root; units without managers are skipped.",
		Params: []openapi.Param{{Name: "levels", In: "query", Description: "at most this many levels (0 or absent: up to the root)",
			Schema: openapi.Schema{"type": "integer", "minimum": 0, "maximum": 100}}},
		Response: openapi.Schema{"type": "array", "items": openapi.Ref("ManagerLevel")}, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		id := param(c, "id")
		if err := selfOrAdmin(principal(c), id); err != nil {
			return err
		}
		levels, err := intQuery(c, "levels", 0, 100)
		if err != nil {
			return err
		}
		chain, err := a.ManagerChain(c.UserContext(), id, levels)
		if err != nil {
			return err
		}
		out, err := s.nameManagers(c, chain)
		if err != nil {
			return err
		}
		return c.JSON(out)
	})
}

// nameManagers adds unit and user names to a manager chain. A chain is a
// handful of units with a few managers each, so one read per name is fine.
func (s *Server) nameManagers(c *fiber.Ctx, chain []auth.ManagerLevel) ([]managerLevel, error) {
	ctx, a := c.UserContext(), s.deps.Auth
	out := make([]managerLevel, 0, len(chain))
	for _, l := range chain {
		lv := managerLevel{UnitID: l.UnitID, UserIDs: nonNil(l.UserIDs), Managers: make([]managerRef, 0, len(l.UserIDs))}
		if u, err := a.GetUnit(ctx, l.UnitID); err == nil {
			lv.UnitName = u.Name
		} else if !errs.HasCode(err, auth.ErrUnitNotFound.Code) {
			return nil, err
		}
		for _, id := range l.UserIDs {
			u, err := a.GetUser(ctx, id)
			if errs.HasCode(err, auth.ErrUserNotFound.Code) {
				continue // deleted between the two reads
			}
			if err != nil {
				return nil, err
			}
			lv.Managers = append(lv.Managers, managerRef{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName})
		}
		out = append(out, lv)
	}
	return out, nil
}
