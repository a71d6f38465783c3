package rules

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/meta"
)

// Service evaluates the decision tables of apps for other engines (actions,
// scripts, automations) and for the HTTP API. Compiled tables are cached by
// revision: revisions never change, so a cached table is valid for as long
// as its revision is the one asked for, and meta.Service.Published already
// checks the head on every read, which keeps the cache right when other
// server instances publish.
type Service struct {
	meta *meta.Service

	mu    sync.RWMutex
	cache map[string][]cached // by app/key, newest first
}

type cached struct {
	version   int
	updatedAt string // revisions are immutable; this guards a restored store
	table     *Table
}

// keepVersions bounds the compiled revisions kept per table: the published
// one and a few drafts being previewed.
const keepVersions = 4

// New returns a Service reading definitions from m.
func New(m *meta.Service) *Service {
	return &Service{meta: m, cache: map[string][]cached{}}
}

// Evaluate runs the published revision of the table app/key on inputs at
// instant at (zero: now). A table never published is a 404
// meta.not_published; inputs that do not fit are a 422 rule.invalid_input
// with paths "inputs.<key>".
func (s *Service) Evaluate(ctx context.Context, app, key string, inputs map[string]any, at time.Time) (Result, error) {
	t, err := s.Published(ctx, app, key)
	if err != nil {
		return Result{}, err
	}
	return t.Evaluate(inputs, at, Options{})
}

// EvaluateSpec validates a spec as a save would (a 422 meta.invalid with
// spec paths when it is not), compiles it and evaluates it with a trace:
// the preview of a table being edited.
func (s *Service) EvaluateSpec(spec json.RawMessage, inputs map[string]any, at time.Time) (Result, error) {
	t, err := Compile(spec)
	if err != nil {
		return Result{}, err
	}
	return t.Evaluate(inputs, at, Options{Trace: true})
}

// Published returns the compiled published revision of app/key.
func (s *Service) Published(ctx context.Context, app, key string) (*Table, error) {
	d, err := s.meta.Published(ctx, app, meta.KindRule, key)
	if err != nil {
		return nil, err
	}
	return s.table(d)
}

// Version returns a compiled revision of app/key (a draft, to preview it)
// with the revision itself, whose Status says whether it is the published
// one.
func (s *Service) Version(ctx context.Context, app, key string, version int) (*Table, meta.Definition, error) {
	d, err := s.meta.GetVersion(ctx, app, meta.KindRule, key, version)
	if err != nil {
		return nil, meta.Definition{}, err
	}
	t, err := s.table(d)
	return t, d, err
}

// table compiles a revision once.
func (s *Service) table(d meta.Definition) (*Table, error) {
	id := d.App + "/" + d.Key
	s.mu.RLock()
	for _, c := range s.cache[id] {
		if c.version == d.Version && c.updatedAt == d.UpdatedAt {
			s.mu.RUnlock()
			return c.table, nil
		}
	}
	s.mu.RUnlock()
	t, err := compileValid(d.Spec, d.Version)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []cached{{version: d.Version, updatedAt: d.UpdatedAt, table: t}}
	for _, c := range s.cache[id] {
		if len(list) < keepVersions && !(c.version == d.Version && c.updatedAt == d.UpdatedAt) {
			list = append(list, c)
		}
	}
	s.cache[id] = list
	return t, nil
}
