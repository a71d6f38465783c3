package webui_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/server/webui"
)

// app mirrors the wiring in server/api: a route, the UI, then the final
// not-found handler.
func app(t *testing.T) *fiber.App {
	t.Helper()
	files := fstest.MapFS{
		"index.html":             {Data: []byte("<!doctype html><title>tangram</title>")},
		"assets/index-abc12.js":  {Data: []byte("console.log(1)")},
		"assets/index-abc12.css": {Data: []byte("body{}")},
		"favicon.svg":            {Data: []byte("<svg/>")},
	}
	a := fiber.New(fiber.Config{StrictRouting: true, CaseSensitive: true,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			c.Set(fiber.HeaderContentType, "application/problem+json")
			return c.Status(fiber.StatusNotFound).SendString(`{"code":"http.not_found"}`)
		}})
	a.Get("/api/apps", func(c *fiber.Ctx) error { return c.JSON([]string{}) })
	a.Use(webui.Handler(files))
	a.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return a
}

func TestHandler(t *testing.T) {
	a := app(t)
	cases := []struct {
		name, method, path string
		status             int
		ctype, cache, body string
	}{
		{"root is the page", "GET", "/", 200, "text/html; charset=utf-8", "no-cache", "<title>tangram"},
		{"client route falls back to the page", "GET", "/apps/crm/forms/members", 200, "text/html; charset=utf-8", "no-cache", "<title>tangram"},
		{"hashed script is immutable", "GET", "/assets/index-abc12.js", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log"},
		{"hashed style", "GET", "/assets/index-abc12.css", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{}"},
		{"other file", "GET", "/favicon.svg", 200, "image/svg+xml", "public, max-age=3600", "<svg/>"},
		{"HEAD of the page", "HEAD", "/sign-in", 200, "text/html; charset=utf-8", "no-cache", ""},
		{"missing asset is not the page", "GET", "/assets/gone-1234.js", 404, "application/problem+json", "", "http.not_found"},
		{"unknown API path keeps the problem", "GET", "/api/nope", 404, "application/problem+json", "", "http.not_found"},
		{"bare /api keeps the problem", "GET", "/api", 404, "application/problem+json", "", "http.not_found"},
		{"API route still served", "GET", "/api/apps", 200, "application/json", "", "[]"},
		{"writes never get the page", "POST", "/apps", 404, "application/problem+json", "", "http.not_found"},
		{"dot segments stay inside", "GET", "/assets/../index.html", 200, "text/html; charset=utf-8", "no-cache", "<title>tangram"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := a.Test(httptest.NewRequest(tc.method, tc.path, nil))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("content type %q, want %q", got, tc.ctype)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("cache control %q, want %q", got, tc.cache)
			}
			if !strings.Contains(string(body), tc.body) {
				t.Errorf("body %q lacks %q", body, tc.body)
			}
		})
	}
}

func TestHandlerRevalidatesWithETag(t *testing.T) {
	a := app(t)
	res, err := a.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	tag := res.Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag on the page")
	}
	req := httptest.NewRequest("GET", "/some/route", nil)
	req.Header.Set("If-None-Match", tag)
	res, err = a.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != fiber.StatusNotModified {
		t.Fatalf("status %d, want 304", res.StatusCode)
	}
}

func TestHandlerWithoutIndexServesNothing(t *testing.T) {
	a := fiber.New()
	a.Use(webui.Handler(fstest.MapFS{"assets/x.js": {Data: []byte("x")}}))
	a.Use(func(c *fiber.Ctx) error { return c.Status(418).SendString("next") })
	res, err := a.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 418 {
		t.Fatalf("status %d, want the next handler's 418", res.StatusCode)
	}
}
