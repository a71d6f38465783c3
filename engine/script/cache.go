package script

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// Compiled programs and formulas are cached by the SHA-256 of their kind,
// parameters and source, in a bounded LRU shared by the whole process:
// compiled goja programs are immutable and not tied to a runtime, so every
// engine can use them. Compile errors are cached too, so a broken formula
// evaluated once per record is not re-parsed once per record.

// CacheSize is how many compiled programs and formulas the cache keeps.
const CacheSize = 4096

type cacheKind byte

const (
	kindScript cacheKind = iota + 1
	kindFormula
)

type cacheEntry struct {
	key     [sha256.Size]byte
	program *Program
	formula *Formula
	err     error
}

type lruCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List
	m   map[[sha256.Size]byte]*list.Element
}

var compiled = newLRU(CacheSize)

func newLRU(n int) *lruCache {
	return &lruCache{max: n, ll: list.New(), m: make(map[[sha256.Size]byte]*list.Element, n)}
}

// cacheKey length-prefixes every part so ("ab", "c") and ("a", "bc") differ.
func cacheKey(kind cacheKind, params []string, src string) [sha256.Size]byte {
	h := sha256.New()
	var n [9]byte
	n[0] = byte(kind)
	binary.LittleEndian.PutUint64(n[1:], uint64(len(params)))
	h.Write(n[:])
	part := func(p string) {
		binary.LittleEndian.PutUint64(n[1:], uint64(len(p)))
		h.Write(n[1:])
		h.Write([]byte(p))
	}
	for _, p := range params {
		part(p)
	}
	part(src)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (c *lruCache) get(k [sha256.Size]byte) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[k]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*cacheEntry), true
}

// put stores e unless another goroutine compiled the same key first, and
// returns the entry that is in the cache, so every caller of one source
// gets the same *Program or *Formula (and runtimes instantiate it once).
func (c *lruCache) put(e *cacheEntry) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[e.key]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*cacheEntry)
	}
	c.m[e.key] = c.ll.PushFront(e)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*cacheEntry).key)
	}
	return e
}
