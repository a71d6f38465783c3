// Package webui serves the embedded web UI: its static files with the
// right content types and caching, and index.html for every other non-API
// GET so that the single-page app's client-side routes survive a reload.
package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	builderui "github.com/tangram/tangram/builder-ui"
)

// Cache-Control values. Vite names everything under assets/ after a hash of
// its content, so those files never change and may be kept for a year;
// index.html names the current hashes, so browsers must revalidate it on
// every load (no-cache means "ask first", answered by the ETag) or they
// would keep starting an old build.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheIndex     = "no-cache"
	cacheOther     = "public, max-age=3600"
)

// types fixes the content types that matter to browsers; the platform's
// MIME table is consulted for the rest, and it differs between machines.
var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".txt":         "text/plain; charset=utf-8",
	".wasm":        "application/wasm",
}

type asset struct {
	body  []byte
	ctype string
	etag  string
	cache string
}

// Mount serves the embedded UI (builderui.Files) on app. Call it after
// every API route and before the final not-found handler: it answers only
// GET and HEAD requests that no route took, outside /api, and passes the
// rest on, so unknown API paths keep their problem+json 404.
func Mount(app *fiber.App) {
	app.Use(compress.New(compress.Config{Next: func(c *fiber.Ctx) bool { return !servable(c) }}))
	app.Use(Handler(builderui.Files()))
}

// Handler serves files from root (which must hold index.html) with the SPA
// fallback. Every file is read once, here: the embedded UI is a few
// megabytes and requests then cost no file system work.
func Handler(root fs.FS) fiber.Handler {
	assets := map[string]*asset{}
	err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		assets[name] = newAsset(name, body)
		return nil
	})
	index := assets["index.html"]
	if err != nil || index == nil {
		// A binary without a readable index.html has no UI to serve; the
		// API still works and every other path gets the not-found problem.
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return func(c *fiber.Ctx) error {
		if !servable(c) {
			return c.Next()
		}
		name := strings.TrimPrefix(path.Clean("/"+c.Path()), "/")
		a := assets[name]
		if a == nil {
			// A missing hashed asset is a real 404: answering with the
			// page would hand HTML to a script or style tag.
			if strings.HasPrefix(name, "assets/") {
				return c.Next()
			}
			a = index
		}
		return send(c, a)
	}
}

func newAsset(name string, body []byte) *asset {
	sum := sha256.Sum256(body)
	a := &asset{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, cache: cacheOther}
	ext := strings.ToLower(path.Ext(name))
	a.ctype = types[ext]
	if a.ctype == "" {
		a.ctype = mime.TypeByExtension(ext)
	}
	if a.ctype == "" {
		a.ctype = "application/octet-stream"
	}
	switch {
	case name == "index.html":
		a.cache = cacheIndex
	case strings.HasPrefix(name, "assets/"):
		a.cache = cacheImmutable
	}
	return a
}

func send(c *fiber.Ctx, a *asset) error {
	c.Set(fiber.HeaderCacheControl, a.cache)
	c.Set(fiber.HeaderETag, a.etag)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, a.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.ctype)
	return c.Send(a.body)
}

// servable reports whether the UI may answer: a read outside the API.
func servable(c *fiber.Ctx) bool {
	m := c.Method()
	if m != fiber.MethodGet && m != fiber.MethodHead {
		return false
	}
	p := c.Path()
	return p != "/api" && !strings.HasPrefix(p, "/api/")
}
