// Package api is Tangram's HTTP layer: one fiber app whose routes are
// registered through a Router that documents each one in the OpenAPI spec.
// One file per resource holds that resource's routes.
package api

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/files"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/report"
	"github.com/tangram/tangram/engine/savedview"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/workflow"
	"github.com/tangram/tangram/server/openapi"
	"github.com/tangram/tangram/server/problem"
	"github.com/tangram/tangram/server/webui"
)

// Deps are the services the HTTP layer serves.
type Deps struct {
	Store     store.Store
	Meta      *meta.Service
	Auth      *auth.Service
	Guard     *access.Guard
	Records   *form.Records
	Actions   Actions        // nil: no action routes
	Files     *files.Service // nil: no file routes
	Log       *slog.Logger
	Metrics   *Metrics
	BodyLimit int    // bytes; default 8 MiB
	Version   string // build version for /healthz and OpenAPI

	// UploadLimit bounds import and file upload bodies (bodylimit.go);
	// 0: TANGRAM_UPLOAD_LIMIT, else 1 GiB.
	UploadLimit int64
	// SpoolDir holds uploads being imported (unlinked temporary files);
	// "": the system's temporary directory.
	SpoolDir string

	// Workflow serves the workflow and task routes; nil: none.
	Workflow *workflow.Service

	// Reports serves the report and dashboard routes; nil: none.
	Reports *report.Service

	// Automation serves the automation, dead-letter and webhook routes;
	// nil: none.
	Automation *automation.Service

	// SavedViews keeps users' own list views; nil: no saved-view routes.
	SavedViews *savedview.Service
}

// DefaultBodyLimit bounds request bodies unless configured otherwise.
const DefaultBodyLimit = 8 << 20

// Server is the fiber app plus the spec documenting its routes.
type Server struct {
	App    *fiber.App
	Spec   *openapi.Spec
	deps   Deps
	limits *bodyLimits
}

// New builds the HTTP server with every route registered and documented.
func New(d Deps) *Server {
	if d.BodyLimit <= 0 {
		d.BodyLimit = DefaultBodyLimit
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	app := fiber.New(fiber.Config{
		AppName:               "tangram",
		BodyLimit:             d.BodyLimit,
		ErrorHandler:          problem.Handler(d.Log),
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		// Strict routing keeps "/x" and "/x/" apart, so the OpenAPI paths
		// are exactly the served ones.
		StrictRouting: true,
		CaseSensitive: true,
		// Values from path parameters and headers outlive the request in
		// caches and goroutines; fiber reuses their buffers unless immutable.
		Immutable: true,
		// Bodies reach the handlers as streams, bounded per route
		// (bodylimit.go); multipart bodies are parsed by the handlers
		// that take them, not spooled by fasthttp before routing.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
	})
	s := &Server{App: app, Spec: openapi.New("Tangram API", d.Version), deps: d, limits: newBodyLimits(d.BodyLimit, d.UploadLimit)}
	app.Server().ExpectHandler = s.limits.expect // refuse oversized bodies before they are sent
	app.Use(requestid.New(requestid.Config{Header: "X-Request-Id", ContextKey: "requestid"}))
	app.Use(recover.New())
	app.Use(d.Metrics.middleware)
	app.Use(accessLog(d.Log))
	r := &Router{app: app, spec: s.Spec, auth: s.authenticated, limits: s.limits}
	registerComponents(s.Spec)
	s.healthRoutes(r)
	s.sessionRoutes(r)
	s.identityRoutes(r)
	s.metaRoutes(r)
	s.recordRoutes(r)
	s.formulaRoutes(r)
	s.fieldTypeRoutes(r)
	s.rightsRoutes(r)
	s.savedViewRoutes(r)
	s.fileRoutes(r)
	s.actionRoutes(r)
	s.actionTestRoutes(r)
	s.ledgerRoutes(r)
	s.ruleRoutes(r)
	s.templateRoutes(r)
	s.workflowRoutes(r)
	s.reportRoutes(r)
	s.reportPreviewRoutes(r)
	s.dashboardRoutes(r)
	s.automationRoutes(r)
	s.automationTestRoutes(r)
	s.automationRFMRoutes(r)
	s.hookRoutes(r)
	// The embedded UI answers the GETs no route took, outside /api; it is
	// not part of the API, so it is mounted with Use and not documented.
	webui.Mount(app)
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return s
}

// Router registers a route and its documentation in one call. Routes need
// a signed-in caller unless their operation is marked Public.
type Router struct {
	app    *fiber.App
	spec   *openapi.Spec
	auth   func(fiber.Handler) fiber.Handler
	limits *bodyLimits
}

// Handle documents op and serves it with h; the body is read whole before
// h runs, up to the JSON body limit (Upload streams it, bodylimit.go).
func (r *Router) Handle(op openapi.Operation, h fiber.Handler) {
	r.add(r.limits.jsonRoute(op, h))
}

// add documents op and serves it with h, which bounds its own body.
func (r *Router) add(op openapi.Operation, h fiber.Handler) {
	if !op.Public {
		h = r.auth(h)
		op.Errors = append(op.Errors, 401, 403)
	}
	r.spec.Add(op)
	r.app.Add(op.Method, op.Path, h)
}

// accessLog writes one structured line per request. bytesIn is the
// declared length (-1: chunked): reading c.Body() would pull a streamed
// body into memory.
func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		}
		log.Info("http", "requestId", c.Locals("requestid"), "method", c.Method(), "path", c.Path(),
			"status", status, "ms", float64(time.Since(start).Microseconds())/1000, "bytesIn", c.Request().Header.ContentLength())
		return err
	}
}
