// Package openapi builds the OpenAPI 3.1 document served at
// /api/openapi.json from the same table the HTTP routes are registered from,
// so a route cannot exist without its documentation (a test in server/api
// checks fiber's route list against the document).
package openapi

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Schema is a JSON Schema fragment.
type Schema = map[string]any

// Param is a path, query or header parameter.
type Param struct {
	Name        string
	In          string // path, query, header
	Description string
	Required    bool
	Schema      Schema
}

// Operation documents one route.
type Operation struct {
	Method      string
	Path        string // fiber syntax: /api/apps/:app
	ID          string // operationId
	Summary     string
	Description string
	Tag         string
	Params      []Param
	Request     Schema // JSON request body schema (nil: none)
	RequestType string // media type of the request body (default application/json)
	Response    Schema // 2xx JSON body schema (nil: no body)
	Status      int    // success status (default 200)
	RawResponse string // non-JSON success media type (text/plain, ...)
	Errors      []int  // problem+json statuses this route may answer
	Public      bool   // served without signing in
}

// Spec collects operations and shared component schemas.
type Spec struct {
	mu         sync.Mutex
	Title      string
	Version    string
	ops        []Operation
	components map[string]Schema
}

// New makes an empty document.
func New(title, version string) *Spec {
	return &Spec{Title: title, Version: version, components: map[string]Schema{}}
}

// Add documents an operation.
func (s *Spec) Add(op Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, op)
}

// Component registers a named schema, referenced as Ref(name).
func (s *Spec) Component(name string, sc Schema) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.components[name] = sc
}

// Ref points at a component schema.
func Ref(name string) Schema { return Schema{"$ref": "#/components/schemas/" + name} }

var paramRe = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// PathOf converts fiber's ":name" parameters to OpenAPI's "{name}".
func PathOf(fiberPath string) string { return paramRe.ReplaceAllString(fiberPath, "{$1}") }

// Document renders the OpenAPI 3.1 document.
func (s *Spec) Document() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	paths := map[string]map[string]any{}
	for _, op := range s.ops {
		p := PathOf(op.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(op.Method)] = render(op)
	}
	comps := map[string]any{"Problem": problemSchema}
	for k, v := range s.components {
		comps[k] = v
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   s.Title,
			"version": s.Version,
			"description": "Every error is application/problem+json with type, title, status, " +
				"detail, code and, for validation, errors [{path, message}].",
		},
		"paths": paths,
		"components": map[string]any{"schemas": comps, "securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "a session token (tgs_...) from /api/auth/login or an API key (tgk_...)"},
			"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "tangram_session", "description": "browser session; writes also need the X-CSRF-Token header"},
		}},
		"security": []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}},
	}
}

var problemSchema = Schema{
	"type":     "object",
	"required": []string{"type", "title", "status", "code"},
	"properties": Schema{
		"type":      Schema{"type": "string"},
		"title":     Schema{"type": "string"},
		"status":    Schema{"type": "integer"},
		"detail":    Schema{"type": "string"},
		"code":      Schema{"type": "string", "description": "stable dotted error code"},
		"instance":  Schema{"type": "string"},
		"requestId": Schema{"type": "string"},
		"errors": Schema{"type": "array", "items": Schema{"type": "object",
			"properties": Schema{"path": Schema{"type": "string"}, "code": Schema{"type": "string"}, "message": Schema{"type": "string"}}}},
	},
}

func render(op Operation) map[string]any {
	out := map[string]any{"summary": op.Summary, "tags": []string{op.Tag}}
	if op.ID != "" {
		out["operationId"] = op.ID
	}
	if op.Description != "" {
		out["description"] = op.Description
	}
	if op.Public {
		out["security"] = []any{}
	}
	var params []any
	for _, m := range paramRe.FindAllStringSubmatch(op.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": Schema{"type": "string"}})
	}
	for _, p := range op.Params {
		sc := p.Schema
		if sc == nil {
			sc = Schema{"type": "string"}
		}
		params = append(params, map[string]any{"name": p.Name, "in": p.In, "required": p.Required, "description": p.Description, "schema": sc})
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	if op.Request != nil {
		mt := op.RequestType
		if mt == "" {
			mt = "application/json"
		}
		out["requestBody"] = map[string]any{"required": true, "content": map[string]any{mt: map[string]any{"schema": op.Request}}}
	}
	st := op.Status
	if st == 0 {
		st = 200
	}
	resp := map[string]any{}
	ok := map[string]any{"description": "success"}
	switch {
	case op.RawResponse != "":
		ok["content"] = map[string]any{op.RawResponse: map[string]any{"schema": Schema{"type": "string"}}}
	case op.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": op.Response}}
	}
	resp[strconv.Itoa(st)] = ok
	errsList := append([]int{400, 500}, op.Errors...)
	sort.Ints(errsList)
	for _, e := range errsList {
		resp[strconv.Itoa(e)] = map[string]any{"description": "problem", "content": map[string]any{
			"application/problem+json": map[string]any{"schema": Ref("Problem")}}}
	}
	out["responses"] = resp
	return out
}
