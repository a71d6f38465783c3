package auth

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tangram/tangram/engine/internal/testkit"
)

// countHashes swaps s's hashing semaphore for an unbuffered one served by a
// goroutine that counts every slot taken: each password verification or
// hash takes exactly one.
func countHashes(t *testing.T, s *Service) *atomic.Int64 {
	sem, done := make(chan struct{}), make(chan struct{})
	var n atomic.Int64
	s.hashSem = sem
	go func() {
		for {
			select { // acquireHash sends,
			case <-sem:
				n.Add(1)
			case <-done:
				return
			}
			select { // releaseHash receives.
			case sem <- struct{}{}:
			case <-done:
				return
			}
		}
	}()
	t.Cleanup(func() { close(done) })
	return &n
}

// An unknown username must cost a password verification, as a known one
// does, or the response time would tell which usernames exist. Asserted on
// behaviour rather than on the wall clock: every failed login takes one
// hashing slot, and the dummy hash it verifies is a real hash with the live
// parameters, so it costs what a user's hash costs.
func TestUnknownUserCostsAHash(t *testing.T) {
	ctx := context.Background()
	st := testkit.Open(t, testkit.SQLiteURI(t, "t.db"))
	params := HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	s := New(st, Config{Hash: params})
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnsureAdmin(ctx, "Adm1n-Secret-Pass"); err != nil {
		t.Fatal(err)
	}
	if !VerifyPassword("tangram-dummy-password", s.dummy) || NeedsRehash(s.dummy, params) {
		t.Fatalf("the dummy hash %q is not a live-parameter hash", s.dummy)
	}
	hashes := countHashes(t, s)
	for _, user := range []string{"admin", "ghost", strings.Repeat("g", 100)} {
		before := hashes.Load()
		_, err := s.Login(ctx, LoginInput{Username: user, Password: "Wrong-Passw0rd"})
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("%s: %v", user[:5], err)
		}
		if n := hashes.Load() - before; n != 1 {
			t.Errorf("a failed login as %s verified %d hashes, want 1", user[:5], n)
		}
	}
}
