package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
)

// Cookie names of a browser session.
const (
	SessionCookie = "tangram_session"
	CSRFCookie    = "tangram_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

const principalKey = "principal"

// authenticated wraps a handler so it runs only for a signed-in principal:
// a bearer token (session "tgs_" or API key "tgk_") or the session cookie.
// Cookie-authenticated writes must carry the CSRF token header, since a
// browser sends cookies on cross-site requests too.
func (s *Server) authenticated(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token, fromCookie := bearer(c), false
		if token == "" {
			token, fromCookie = c.Cookies(SessionCookie), true
			if !strings.HasPrefix(token, auth.SessionPrefix) {
				token = ""
			}
		}
		if token == "" {
			return access.ErrUnauthenticated
		}
		p, err := s.deps.Auth.Authenticate(c.UserContext(), token)
		if err != nil {
			return err
		}
		if fromCookie && isWrite(c.Method()) {
			if err := p.CheckCSRF(c.Get(CSRFHeader)); err != nil {
				return err
			}
		}
		c.Locals(principalKey, p)
		c.Locals("user", p.Actor())
		return h(c)
	}
}

func bearer(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func isWrite(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return false
	}
	return true
}

// principal is the signed-in caller of an authenticated route.
func principal(c *fiber.Ctx) *auth.Principal {
	p, _ := c.Locals(principalKey).(*auth.Principal)
	return p
}

// callerOf builds the identity-service caller (for audit entries).
func callerOf(c *fiber.Ctx) auth.Caller {
	rid, _ := c.Locals("requestid").(string)
	return auth.Caller{Principal: principal(c), IP: c.IP(), RequestID: rid}
}
