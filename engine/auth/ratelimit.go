package auth

import (
	"sync"
	"time"
)

// loginLimiter counts sign-in attempts per client IP and per username in
// fixed one-minute windows. It is per server instance on purpose: its job is
// to keep one client from burning CPU on password hashes, which is a local
// resource; guessing across instances is stopped by the lockout, whose
// counter lives in the user document. Written by hand because the project
// has no rate-limit dependency and a fixed window is all this needs.
type loginLimiter struct {
	mu      sync.Mutex
	perIP   int
	perUser int
	window  time.Duration
	start   time.Time
	ips     map[string]int
	users   map[string]int
}

// maxTracked bounds the maps within one window; past it every new key is
// refused, which only happens under a spray from very many addresses.
const maxTracked = 100000

func newLoginLimiter(perIP, perUser int, window time.Duration) *loginLimiter {
	return &loginLimiter{perIP: perIP, perUser: perUser, window: window, ips: map[string]int{}, users: map[string]int{}}
}

// allow counts one attempt and reports whether it is within both limits,
// and whether this attempt is the first one refused in the window (so the
// refusal is audited once, not once per request of a flood). An attempt
// refused for one key still counts for the other, so alternating usernames
// from one IP does not reset anything.
func (l *loginLimiter) allow(now time.Time, ip, username string) (ok, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start, l.ips, l.users = now, map[string]int{}, map[string]int{}
	}
	ipN, userN := 0, bump(l.users, username)
	if ip != "" {
		ipN = bump(l.ips, ip)
	}
	ok = ipN <= l.perIP && userN <= l.perUser
	first = ipN == l.perIP+1 || userN == l.perUser+1
	return ok, first
}

// bump counts one more attempt for key and returns the count; a key that
// does not fit any more counts as over every limit.
func bump(m map[string]int, key string) int {
	n, seen := m[key]
	if !seen && len(m) >= maxTracked {
		return maxTracked
	}
	m[key] = n + 1
	return n + 1
}
