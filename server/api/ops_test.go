package api_test

import (
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

func TestHealthReadyMetrics(t *testing.T) {
	h := apitest.New(t)
	if m := h.Expect(h.Do("GET", "/healthz", nil), 200, ""); m["status"] != "ok" {
		t.Fatalf("healthz: %v", m)
	}
	if m := h.Expect(h.Do("GET", "/readyz", nil), 200, ""); m["status"] != "ready" || m["store"] != "sqlite" {
		t.Fatalf("readyz: %v", m)
	}
	h.Do("GET", "/api/apps", nil)
	r := h.Do("GET", "/metrics", nil)
	if r.Status != 200 {
		t.Fatalf("metrics status %d", r.Status)
	}
	body := string(r.Body)
	for _, want := range []string{
		`tangram_http_requests_total{method="GET",route="/api/apps",status="200"}`,
		`tangram_http_request_duration_seconds_bucket{method="GET",route="/healthz"`,
		`tangram_store_operation_duration_seconds_bucket{backend="sqlite"`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if rid := r.Header.Get("X-Request-Id"); rid == "" {
		t.Errorf("no request id header")
	}
}

func TestUnknownRouteIsProblem(t *testing.T) {
	h := apitest.New(t)
	m := h.Expect(h.Do("GET", "/api/nope", nil), 404, "http.not_found")
	if m["instance"] != "/api/nope" || m["requestId"] == "" {
		t.Fatalf("problem lacks instance/requestId: %v", m)
	}
}
