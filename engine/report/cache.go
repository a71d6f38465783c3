package report

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
)

// Results are cached by everything that decides them: the report's and
// its forms' published versions, the bound parameters (presets resolved,
// so "this month" changes key at midnight), the caller's row scope on each
// form (two store managers of one store share entries, of two stores do
// not), the language, and the data version of each form read — which
// changes on every write, so a write invalidates by making a new key
// rather than by telling anyone. Old entries age out of the LRU. The
// cache is per process; the keys are read from the store, so several
// server instances never serve each other's stale results.

// resultCache is a bounded LRU of results by key.
type resultCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List
	m   map[string]*list.Element
}

type cacheEntry struct {
	key string
	r   *Result
}

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

func (c *resultCache) get(key string) (*Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).r, true
	}
	return nil, false
}

func (c *resultCache) put(key string, r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.Value.(*cacheEntry).r = r
		c.ll.MoveToFront(e)
		return
	}
	c.m[key] = c.ll.PushFront(&cacheEntry{key: key, r: r})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.m, last.Value.(*cacheEntry).key)
	}
}

// cacheKey hashes what decides a run's result.
func (s *Service) cacheKey(ctx context.Context, ex *execution) (string, error) {
	var b strings.Builder
	b.WriteString(ex.c.versionKey())
	b.WriteString("|lang=" + ex.lang)
	params := map[string]any{}
	for _, bd := range ex.bound {
		if bd.period != nil {
			params[bd.plan.key] = bd.period
		} else {
			params[bd.plan.key] = bd.value
		}
	}
	pj, _ := json.Marshal(params)
	b.Write(pj)
	for _, alias := range sortedKeys(ex.c.cat.forms) {
		f := ex.c.cat.forms[alias]
		v, err := s.DataVersion(ctx, f.App, f.Key, f.Coll)
		if err != nil {
			return "", err
		}
		b.WriteString("|" + alias + ":" + canonical(ex.scopes[alias]) + "@" + v)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:]), nil
}
