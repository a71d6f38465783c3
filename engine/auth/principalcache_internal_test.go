package auth

import (
	"testing"
	"time"
)

// A fill that started before a drop must not store what it read: it may
// have read the user just before the change committed.
func TestPrincipalCacheFillRacingADrop(t *testing.T) {
	c := newPrincipalCache(time.Minute)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	epoch := c.begin()
	c.dropUser("u1") // the change commits while the fill is reading
	c.put(sessionKey("s1"), epoch, now, cachedPrincipal{p: &Principal{UserID: "u1"}, userID: "u1", session: "s1"})
	if _, ok := c.get(sessionKey("s1"), now); ok {
		t.Fatal("a fill older than a drop was stored")
	}
	// A fill begun after the drop is kept, until its TTL.
	epoch = c.begin()
	c.put(sessionKey("s1"), epoch, now, cachedPrincipal{p: &Principal{UserID: "u1"}, userID: "u1", session: "s1"})
	if _, ok := c.get(sessionKey("s1"), now.Add(time.Minute-time.Nanosecond)); !ok {
		t.Fatal("a fresh fill was not stored")
	}
	if _, ok := c.get(sessionKey("s1"), now.Add(time.Minute)); ok {
		t.Fatal("an entry outlived its TTL")
	}
}
