package store

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"
)

// Opener opens a store from a URI such as "sqlite:///data/tangram.db" or
// "mongodb://host/db?replicaSet=rs0".
type Opener func(ctx context.Context, uri *url.URL, opt Options) (Store, error)

// Options are adapter-independent open options.
type Options struct {
	Observer Observer // may be nil
}

var (
	regMu   sync.RWMutex
	openers = map[string]Opener{}
)

// Register makes an adapter available under a URI scheme. Registering a
// scheme twice panics: two adapters must never silently shadow each other.
func Register(scheme string, o Opener) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := openers[scheme]; dup {
		panic(fmt.Sprintf("store: scheme %q registered twice", scheme))
	}
	openers[scheme] = o
}

// Open opens the store named by rawURI with the adapter for its scheme.
func Open(ctx context.Context, rawURI string, opt Options) (Store, error) {
	u, err := url.Parse(rawURI)
	if err != nil {
		return nil, fmt.Errorf("store: bad URI: %w", err)
	}
	regMu.RLock()
	o, ok := openers[u.Scheme]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store: no adapter for scheme %q (have %v)", u.Scheme, Schemes())
	}
	return o(ctx, u, opt)
}

// Schemes lists registered URI schemes.
func Schemes() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	var s []string
	for k := range openers {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
