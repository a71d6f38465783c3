// Package ext holds what every extension point shares: one generic registry
// type. Field types, triggers, actions, channels, chart types and definition
// kinds each keep a Registry; extensions register in init() under a unique
// lowercase key, and a duplicate key panics at start-up so two extensions can
// never silently shadow each other.
package ext

import (
	"fmt"
	"sort"
	"sync"
)

// Registry maps unique keys to extensions of one type. It is safe for
// concurrent use; registration normally happens in init() and lookups at run
// time.
type Registry[T any] struct {
	name string
	mu   sync.RWMutex
	m    map[string]T
}

// NewRegistry makes an empty registry; name appears in panic messages so a
// duplicate registration says which extension point it hit.
func NewRegistry[T any](name string) *Registry[T] {
	return &Registry[T]{name: name, m: map[string]T{}}
}

// Register adds v under key. An empty or already registered key panics:
// both are programming errors that must fail at start-up, not at run time.
func (r *Registry[T]) Register(key string, v T) {
	if key == "" {
		panic(fmt.Sprintf("ext: %s: empty key", r.name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[key]; dup {
		panic(fmt.Sprintf("ext: %s: key %q registered twice", r.name, key))
	}
	r.m[key] = v
}

// Get returns the extension registered under key.
func (r *Registry[T]) Get(key string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[key]
	return v, ok
}

// Keys lists the registered keys in ascending order, so anything built from
// them (docs, palettes, error messages) is deterministic.
func (r *Registry[T]) Keys() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ks := make([]string, 0, len(r.m))
	for k := range r.m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
