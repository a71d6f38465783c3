package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/tangram/tangram/engine/store"
)

// Metrics holds the Prometheus collectors of one server. A registry per
// server (not the global one) keeps tests that start several servers apart.
type Metrics struct {
	Registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	storeOps  *prometheus.HistogramVec
	storeErrs *prometheus.CounterVec
}

// NewMetrics creates the collectors, including Go runtime and process ones.
func NewMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tangram_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
	}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tangram_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
	m.storeOps = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tangram_store_operation_duration_seconds", Help: "Store operation latency by backend and operation.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1},
	}, []string{"backend", "op"})
	m.storeErrs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tangram_store_operation_errors_total", Help: "Store operations that returned an error.",
	}, []string{"backend", "op"})
	m.Registry.MustRegister(m.requests, m.latency, m.storeOps, m.storeErrs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// StoreObserver feeds store operation latencies into the metrics.
func (m *Metrics) StoreObserver() store.Observer {
	return func(backend, op string, d time.Duration, err error) {
		m.storeOps.WithLabelValues(backend, op).Observe(d.Seconds())
		if err != nil {
			m.storeErrs.WithLabelValues(backend, op).Inc()
		}
	}
}

// middleware records each request under its route pattern (not its raw
// path, which would make one series per record id).
func (m *Metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := "unmatched"
	if r := c.Route(); r != nil && r.Path != "/" && r.Path != "" {
		route = r.Path
	}
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		}
	}
	m.requests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(c.Method(), route).Observe(time.Since(start).Seconds())
	return err
}

// handler serves the Prometheus text format.
func (m *Metrics) handler() fiber.Handler {
	h := fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		h(c.Context())
		return nil
	}
}
