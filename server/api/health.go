package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/server/openapi"
)

func (s *Server) healthRoutes(r *Router) {
	r.Handle(openapi.Operation{Method: "GET", Path: "/healthz", ID: "healthz", Tag: "ops", Public: true,
		Summary:  "Liveness: the process is up",
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{"status": openapi.Schema{"type": "string"}, "version": openapi.Schema{"type": "string"}}},
	}, func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok", "version": s.deps.Version})
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/readyz", ID: "readyz", Tag: "ops", Public: true,
		Summary:  "Readiness: the store answers",
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{"status": openapi.Schema{"type": "string"}, "store": openapi.Schema{"type": "string"}}},
		Errors:   []int{503},
	}, func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := s.deps.Store.Ping(ctx); err != nil {
			return errs.Wrap(err, errs.Unavailable, "store.unreachable", "the store does not answer")
		}
		return c.JSON(fiber.Map{"status": "ready", "store": s.deps.Store.Backend()})
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/metrics", ID: "metrics", Tag: "ops", Public: true,
		Summary: "Prometheus metrics (text exposition format)", RawResponse: "text/plain",
	}, s.deps.Metrics.handler())
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/openapi.json", ID: "openapi", Tag: "ops", Public: true,
		Summary: "This OpenAPI document", Response: openapi.Schema{"type": "object"},
	}, func(c *fiber.Ctx) error {
		return c.JSON(s.Spec.Document())
	})
}
