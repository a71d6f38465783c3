// Package problem is the one place that turns errors into RFC 9457
// application/problem+json responses. Coded errors (engine/errs) keep their
// code, message and field errors; anything else becomes an opaque 500 whose
// cause is logged with the request id but never sent to the client.
package problem

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
)

// ContentType is the media type of error bodies.
const ContentType = "application/problem+json"

// Body is the problem+json document.
type Body struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Code      string            `json:"code"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"requestId,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

var statusOf = map[errs.Class]int{
	errs.Internal:        fiber.StatusInternalServerError,
	errs.Invalid:         fiber.StatusBadRequest,
	errs.Unprocessable:   fiber.StatusUnprocessableEntity,
	errs.NotFound:        fiber.StatusNotFound,
	errs.Conflict:        fiber.StatusConflict,
	errs.PreconditionErr: fiber.StatusPreconditionFailed,
	errs.Unauthorized:    fiber.StatusUnauthorized,
	errs.Forbidden:       fiber.StatusForbidden,
	errs.TooLarge:        fiber.StatusRequestEntityTooLarge,
	errs.TooMany:         fiber.StatusTooManyRequests,
	errs.Unavailable:     fiber.StatusServiceUnavailable,
}

// TypeBase prefixes problem type URIs; the code makes each type unique.
const TypeBase = "https://tangram.dev/problems/"

// From builds the problem body for err.
func From(err error) Body {
	if e, ok := errs.As(err); ok && e.Class != errs.Internal {
		st := statusOf[e.Class]
		return Body{Type: TypeBase + e.Code, Status: st,
			Detail: e.Msg, Code: e.Code, Errors: e.Fields}.withTitle()
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code := fiberCodes[fe.Code]
		if code == "" {
			code = "http.error"
		}
		return Body{Type: TypeBase + code, Status: fe.Code, Detail: fe.Message, Code: code}.withTitle()
	}
	return Body{Type: TypeBase + "internal", Status: 500, Code: "internal",
		Detail: "an internal error occurred; the request id identifies it in the server log"}.withTitle()
}

// fiberCodes names the errors fiber itself raises before our handlers run.
var fiberCodes = map[int]string{
	fiber.StatusNotFound:              "http.not_found",
	fiber.StatusMethodNotAllowed:      "http.method_not_allowed",
	fiber.StatusRequestEntityTooLarge: "http.body_too_large",
	fiber.StatusBadRequest:            "http.bad_request",
	fiber.StatusUnsupportedMediaType:  "http.unsupported_media_type",
	fiber.StatusTooManyRequests:       "http.too_many_requests",
	fiber.StatusRequestTimeout:        "http.timeout",
}

func (b Body) withTitle() Body {
	b.Title = httpStatusText(b.Status)
	return b
}

func httpStatusText(st int) string {
	if t := http.StatusText(st); t != "" {
		return t
	}
	return "Error"
}

// Handler is the fiber ErrorHandler: it renders every error that a handler
// returns or fiber raises, logging internal ones with the request id.
func Handler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		b := From(err)
		b.Instance = c.Path()
		if rid, ok := c.Locals("requestid").(string); ok {
			b.RequestID = rid
		}
		if b.Status >= 500 {
			log.Error("request failed", "requestId", b.RequestID, "method", c.Method(), "path", c.Path(), "err", err.Error())
		}
		return Write(c, b)
	}
}

// Write sends a problem body.
func Write(c *fiber.Ctx, b Body) error {
	c.Status(b.Status)
	c.Set(fiber.HeaderContentType, ContentType)
	return c.JSON(b, ContentType)
}
