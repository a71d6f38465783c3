package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/server/openapi"
)

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// me is what the UI needs to know about the signed-in principal.
type me struct {
	ID          string            `json:"id"`
	Username    string            `json:"username"`
	DisplayName string            `json:"displayName"`
	Admin       bool              `json:"admin"`
	Memberships []auth.Membership `json:"memberships"`
	Roles       []auth.RoleRef    `json:"roles"`
	APIKey      string            `json:"apiKey,omitempty"`
}

func meOf(p *auth.Principal) me {
	m := me{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Admin: p.Admin,
		Memberships: nonNil(p.Memberships), Roles: nonNil(p.Roles)}
	if p.APIKey != nil {
		m.APIKey = p.APIKey.ID
	}
	return m
}

var meSchema = openapi.Schema{"type": "object", "properties": openapi.Schema{
	"id": openapi.Schema{"type": "string"}, "username": openapi.Schema{"type": "string"},
	"displayName": openapi.Schema{"type": "string"}, "admin": openapi.Schema{"type": "boolean"},
	"memberships": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}},
	"roles":       openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}},
}}

func (s *Server) sessionRoutes(r *Router) {
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/auth/login", ID: "login", Tag: "auth", Public: true,
		Summary:     "Sign in with username and password",
		Description: "Opens a session. Browsers get an HttpOnly session cookie and a readable CSRF cookie; API clients use the returned token as a bearer token. Wrong password, unknown user and locked account all answer 401 auth.invalid_credentials.",
		Request: openapi.Schema{"type": "object", "required": []string{"username", "password"}, "additionalProperties": false,
			"properties": openapi.Schema{"username": openapi.Schema{"type": "string"}, "password": openapi.Schema{"type": "string"}}},
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{
			"token": openapi.Schema{"type": "string"}, "csrfToken": openapi.Schema{"type": "string"},
			"expiresAt": openapi.Schema{"type": "string", "format": "date-time"}, "user": meSchema}},
		Errors: []int{401, 429},
	}, func(c *fiber.Ctx) error {
		var b loginBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		rid, _ := c.Locals("requestid").(string)
		res, err := s.deps.Auth.Login(c.UserContext(), auth.LoginInput{Username: b.Username, Password: b.Password,
			IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent), RequestID: rid})
		if err != nil {
			if errs.HasCode(err, auth.ErrRateLimited.Code) {
				c.Set(fiber.HeaderRetryAfter, "60")
			}
			return err
		}
		secure := c.Protocol() == "https"
		c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: res.Token, Path: "/", Expires: res.ExpiresAt,
			HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode})
		// The CSRF cookie is readable by the UI's script (not HttpOnly) so it
		// can echo it in X-CSRF-Token; other sites cannot read it.
		c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: res.CSRFToken, Path: "/", Expires: res.ExpiresAt,
			Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
		return c.JSON(fiber.Map{"token": res.Token, "csrfToken": res.CSRFToken,
			"expiresAt": res.ExpiresAt.UTC().Format(time.RFC3339), "user": meOf(res.Principal)})
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/auth/logout", ID: "logout", Tag: "auth",
		Summary: "End the current session", Status: 204,
	}, func(c *fiber.Ctx) error {
		if err := s.deps.Auth.Logout(c.UserContext(), callerOf(c)); err != nil {
			return err
		}
		c.ClearCookie(SessionCookie, CSRFCookie)
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/auth/me", ID: "me", Tag: "auth",
		Summary: "The signed-in user", Response: meSchema,
	}, func(c *fiber.Ctx) error {
		return c.JSON(meOf(principal(c)))
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/auth/password", ID: "changePassword", Tag: "auth",
		Summary: "Change your own password (other sessions end)", Status: 204, Errors: []int{422},
		Request: openapi.Schema{"type": "object", "required": []string{"oldPassword", "newPassword"}, "additionalProperties": false,
			"properties": openapi.Schema{"oldPassword": openapi.Schema{"type": "string"}, "newPassword": openapi.Schema{"type": "string"}}},
	}, func(c *fiber.Ctx) error {
		var b struct {
			OldPassword string `json:"oldPassword"`
			NewPassword string `json:"newPassword"`
		}
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		if err := s.deps.Auth.ChangePassword(c.UserContext(), callerOf(c), b.OldPassword, b.NewPassword); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}
