package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/server/openapi"
)

// Inbound webhooks: public, but every call is verified by the automation's
// secret (HMAC-SHA256 over the timestamp and the body, or the secret
// itself) before anything is written. The body becomes the run's $payload.

func (s *Server) hookRoutes(r *Router) {
	au := s.deps.Automation
	if au == nil {
		return
	}
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/hooks/:app/:automation", ID: "receiveWebhook", Tag: "automations", Public: true,
		Summary: "Fire a webhook automation (public; verified by the automation's secret)",
		Description: "hmac-sha256 (default): X-Tangram-Timestamp is the Unix time in seconds (at most the trigger's tolerance, " +
			"default 300 s, from the server's time) and X-Tangram-Signature is \"sha256=\" + hex(HMAC-SHA256(secret, timestamp + " +
			"\".\" + body)). secret mode: X-Tangram-Secret carries the secret. X-Tangram-Delivery (optional, at most 100 " +
			"characters) makes a repeated delivery answer 200 with the first call's event instead of firing again. " +
			"401 automation.webhook_signature / automation.webhook_timestamp, 400 a body that is not a JSON object, 422 " +
			"automation.webhook_schema with paths, 413 a body over 63 KiB, 404 no such published webhook automation, " +
			"409 disabled, 503 the secret is not configured on the server. Nothing is written on any of these.",
		Params: []openapi.Param{
			{Name: automation.HeaderTimestamp, In: "header"}, {Name: automation.HeaderSignature, In: "header"},
			{Name: automation.HeaderSecret, In: "header"}, {Name: automation.HeaderDelivery, In: "header"}, langParam},
		Request: openapi.Schema{"type": "object", "description": "any JSON object (the automation's schema, when it has one)"},
		Status:  202,
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{"event": openapi.Schema{"type": "string"},
			"duplicate": openapi.Schema{"type": "boolean"}}},
		Errors: []int{400, 401, 404, 409, 413, 422, 503},
	}, func(c *fiber.Ctx) error {
		res, err := au.Webhook(c.UserContext(), automation.WebhookRequest{App: param(c, "app"), Automation: param(c, "automation"),
			Body: append([]byte(nil), c.Body()...), Header: func(name string) string { return string([]byte(c.Get(name))) }, Lang: requestLang(c)})
		if err != nil {
			return err
		}
		if res.Duplicate {
			return c.JSON(res)
		}
		return c.Status(fiber.StatusAccepted).JSON(res)
	})
}
