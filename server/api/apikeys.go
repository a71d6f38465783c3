package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/server/openapi"
)

// apiKeyBody creates a key. expiresAt is read as text so that a bad time
// is a 400 pointing at it, like any other value of the wrong type, rather
// than an unexplained decoding failure.
type apiKeyBody struct {
	Name      string   `json:"name"`
	OwnerID   string   `json:"ownerId"`
	Apps      []string `json:"apps"`
	Actions   []string `json:"actions"`
	ExpiresAt *string  `json:"expiresAt"`
}

func (b apiKeyBody) input() (auth.APIKeyInput, error) {
	in := auth.APIKeyInput{Name: b.Name, OwnerID: b.OwnerID, Apps: b.Apps, Actions: b.Actions}
	if b.ExpiresAt != nil && *b.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, *b.ExpiresAt)
		if err != nil {
			return in, &errs.Error{Class: errs.Invalid, Code: "request.type", Msg: "a value in the body has the wrong type",
				Fields: []errs.FieldError{{Path: "expiresAt", Code: "request.type", Message: "expected an RFC 3339 time such as 2030-01-31T00:00:00Z"}}}
		}
		in.ExpiresAt = &t
	}
	return in, nil
}

// createdKey is the answer to a key creation: the only time the token is
// ever shown.
type createdKey struct {
	*auth.APIKey
	Token string `json:"token"`
}

// apiKeyComponents documents the API key shapes.
func apiKeyComponents(sp *openapi.Spec) {
	str := openapi.Schema{"type": "string"}
	strs := openapi.Schema{"type": "array", "items": str}
	ts := openapi.Schema{"type": "string", "format": "date-time"}
	props := openapi.Schema{"id": str, "name": str, "ownerId": openapi.Schema{"type": "string", "description": "the user the key acts for"},
		"apps": strs, "actions": strs, "createdAt": ts, "createdBy": str, "expiresAt": ts, "revokedAt": ts, "lastUsedAt": ts}
	sp.Component("APIKey", openapi.Schema{"type": "object", "required": []string{"id", "name", "ownerId", "apps", "actions", "createdAt"},
		"properties": props})
	withToken := openapi.Schema{"token": openapi.Schema{"type": "string",
		"description": "tgk_<id>_<secret>: send as a bearer token; shown only in this response"}}
	for k, v := range props {
		withToken[k] = v
	}
	sp.Component("CreatedAPIKey", openapi.Schema{"type": "object", "required": []string{"id", "token"}, "properties": withToken})
	sp.Component("APIKeyInput", openapi.Schema{"type": "object", "required": []string{"name", "apps"}, "additionalProperties": false,
		"properties": openapi.Schema{"name": str,
			"ownerId":   openapi.Schema{"type": "string", "description": "the user the key acts for; absent: yourself"},
			"apps":      strs,
			"actions":   openapi.Schema{"type": "array", "items": str, "description": `"app/action", "app/*" or "*"`},
			"expiresAt": ts}})
}

func (s *Server) apiKeyRoutes(r *Router) {
	apiKeyComponents(r.spec)
	a := s.deps.Auth
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apikeys", ID: "listAPIKeys", Tag: "apikeys",
		Summary:     "List API keys (admin)",
		Description: "Every key, revoked ones included, newest first. Neither the token nor its hash is ever returned.",
		Response:    openapi.Schema{"type": "array", "items": openapi.Ref("APIKey")},
	}, func(c *fiber.Ctx) error {
		keys, err := a.ListAPIKeys(c.UserContext(), callerOf(c))
		if err != nil {
			return err
		}
		return c.JSON(nonNil(keys))
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apikeys", ID: "createAPIKey", Tag: "apikeys",
		Summary:     "Create an API key (admin)",
		Description: "The key acts with its owner's rights narrowed to apps and actions; a disabled owner disables it. The token is in this response only: only a hash is kept.",
		Request:     openapi.Ref("APIKeyInput"), Response: openapi.Ref("CreatedAPIKey"), Status: 201, Errors: []int{422},
	}, func(c *fiber.Ctx) error {
		var b apiKeyBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		in, err := b.input()
		if err != nil {
			return err
		}
		k, token, err := a.CreateAPIKey(c.UserContext(), callerOf(c), in)
		if err != nil {
			return err
		}
		// The secret must not linger in any shared cache on the way back.
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(createdKey{APIKey: k, Token: token})
	})
	r.Handle(openapi.Operation{Method: "DELETE", Path: "/api/apikeys/:id", ID: "revokeAPIKey", Tag: "apikeys",
		Summary: "Revoke an API key (admin); it stops working at once and for good", Status: 204, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		if err := a.RevokeAPIKey(c.UserContext(), callerOf(c), param(c, "id")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}
