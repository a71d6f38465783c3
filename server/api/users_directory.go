package api

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/server/openapi"
)

// userDirectoryRoutes registers the user directory, the one user list open
// to non-admins: pickers (user fields, approval assignees) need colleagues'
// names, and GET /api/users is an administrative read. It must be
// registered before GET /api/users/:id, which would otherwise take
// "directory" for an id.
func (s *Server) userDirectoryRoutes(r *Router) {
	str := openapi.Schema{"type": "string"}
	r.spec.Component("DirectoryUser", openapi.Schema{"type": "object",
		"required": []string{"id", "username", "displayName", "unitIds"}, "additionalProperties": false,
		"properties": openapi.Schema{"id": str, "username": str, "displayName": str,
			"unitIds": openapi.Schema{"type": "array", "items": str,
				"description": "the user's units that the caller can see"}}})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/users/directory", ID: "userDirectory", Tag: "users",
		Summary: "Colleagues for a picker",
		Description: "Enabled users, ordered by username, with only id, username, display name and units. " +
			"Admins see everyone; others see the members of their units and of every unit below them. " +
			"An org outside the caller's units is 403.",
		Params: []openapi.Param{
			{Name: "q", In: "query", Description: fmt.Sprintf("prefix of the username (often the phone number) or display name, at most %d characters; digits alone match usernames only", auth.DirectoryMaxQuery)},
			{Name: "org", In: "query", Description: "only users of this unit and the units below it"},
			{Name: "ids", In: "query", Description: fmt.Sprintf("comma-separated user ids (at most %d): only these users, to label ids already chosen", auth.DirectoryMaxIDs)},
			{Name: "limit", In: "query", Description: fmt.Sprintf("page size (default %d, at most %d)", auth.DirectoryDefaultLimit, auth.DirectoryMaxLimit),
				Schema: openapi.Schema{"type": "integer", "minimum": 0, "maximum": auth.DirectoryMaxLimit}},
			cursorP,
		},
		Response: pageSchema("DirectoryUser"), Errors: []int{403, 404},
	}, func(c *fiber.Ctx) error {
		q, err := directoryQuery(c)
		if err != nil {
			return err
		}
		pg, err := s.deps.Auth.Directory(c.UserContext(), callerOf(c), q)
		if err != nil {
			return err
		}
		return c.JSON(page[auth.DirectoryUser]{Items: nonNil(pg.Users), Next: pg.Next})
	})
}

// directoryQuery reads and bounds the directory's parameters; each problem
// is a 400 naming its parameter.
func directoryQuery(c *fiber.Ctx) (auth.DirectoryQuery, error) {
	bad := func(name, msg string) error {
		return &errs.Error{Class: errs.Invalid, Code: "request.query", Msg: "bad query parameter",
			Fields: []errs.FieldError{{Path: name, Code: "request.query", Message: msg}}}
	}
	limit, err := intQuery(c, "limit", auth.DirectoryDefaultLimit, auth.DirectoryMaxLimit)
	if err != nil {
		return auth.DirectoryQuery{}, err
	}
	q := auth.DirectoryQuery{Q: strings.TrimSpace(c.Query("q")), Org: strings.Clone(c.Query("org")),
		Limit: limit, Cursor: strings.Clone(c.Query("cursor"))}
	if n := utf8.RuneCountInString(q.Q); n > auth.DirectoryMaxQuery || !utf8.ValidString(q.Q) {
		return q, bad("q", fmt.Sprintf("must be valid text of at most %d characters", auth.DirectoryMaxQuery))
	}
	q.Q = strings.Clone(q.Q)
	if raw := c.Query("ids"); raw != "" {
		for _, id := range strings.Split(raw, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.IDs = append(q.IDs, strings.Clone(id))
			}
		}
		if len(q.IDs) > auth.DirectoryMaxIDs {
			return q, bad("ids", fmt.Sprintf("at most %d ids", auth.DirectoryMaxIDs))
		}
	}
	return q, nil
}
