package auth

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/store"
)

// LoginInput is one sign-in attempt. IP is the client address the HTTP
// layer trusts (after its proxy rules); it keys the per-IP rate limit.
type LoginInput struct {
	Username  string
	Password  string
	IP        string
	UserAgent string
	RequestID string
}

// LoginResult is a new session. Token is the session secret (cookie value
// or bearer token) and CSRFToken the token cookie-authenticated writes must
// echo; neither is stored, so neither can be shown again.
type LoginResult struct {
	Token     string
	CSRFToken string
	ExpiresAt time.Time // absolute end of the session
	Principal *Principal
}

// Login checks a username and password and opens a session. A wrong
// password, an unknown user, a locked and a disabled account all give
// ErrInvalidCredentials after the same work (one argon2id verification), so
// neither the answer nor its timing tells them apart. Too many attempts give
// ErrRateLimited before any hashing.
func (s *Service) Login(ctx context.Context, in LoginInput) (*LoginResult, error) {
	c := Caller{IP: in.IP, RequestID: in.RequestID}
	username := NormalizeUsername(in.Username)
	tooLong := utf8.RuneCountInString(username) > 64
	if tooLong {
		// No username is this long; the cut keeps the limiter's and the
		// audit log's keys bounded, and the lookup below is skipped.
		username = string([]rune(username)[:64])
	}
	if ok, first := s.limiter.allow(s.now(), in.IP, username); !ok {
		if first {
			e := Entry{Actor: "anonymous", ActorName: username, Action: "auth.login_rate_limited",
				Target: "user:" + username, IP: in.IP, RequestID: in.RequestID}
			if err := s.Audit.Record(ctx, e); err != nil {
				return nil, err
			}
		}
		return nil, ErrRateLimited
	}
	var u *userDoc
	if !tooLong {
		var err error
		if u, err = s.findByUsername(ctx, username); err != nil {
			return nil, err
		}
	}
	hash := s.dummy
	if u != nil {
		hash = u.PasswordHash
	}
	if err := s.acquireHash(ctx); err != nil {
		return nil, err
	}
	ok := VerifyPassword(in.Password, hash)
	s.releaseHash()

	fail := func(reason, target string) (*LoginResult, error) {
		if err := s.recordFailure(ctx, c, username, target, reason); err != nil {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	switch {
	case u == nil:
		return fail("unknown_user", "user:"+username)
	case s.locked(u):
		return fail("locked", "user:"+u.ID)
	case u.Disabled:
		return fail("disabled", "user:"+u.ID)
	case !ok:
		if _, err := s.registerFailure(ctx, c, u); err != nil {
			return nil, err
		}
		return fail("wrong_password", "user:"+u.ID)
	}
	return s.openSession(ctx, c, u, in)
}

func (s *Service) recordFailure(ctx context.Context, c Caller, username, target, reason string) error {
	e := Entry{Actor: "anonymous", ActorName: username, Action: "auth.login_failed", Target: target,
		Details: map[string]any{"reason": reason}, IP: c.IP, RequestID: c.RequestID}
	return s.Audit.Record(ctx, e)
}

// openSession finishes a successful login: it resets the failure count,
// upgrades an outdated hash, stores the session and records the login.
func (s *Service) openSession(ctx context.Context, c Caller, u *userDoc, in LoginInput) (*LoginResult, error) {
	set := map[string]any{"lastLoginAt": s.nowString(), "failedLogins": 0, "lockedUntil": nil}
	if NeedsRehash(u.PasswordHash, s.cfg.Hash) {
		h, err := s.hash(ctx, in.Password)
		if err != nil {
			return nil, err
		}
		set["passwordHash"] = h
	}
	sess, err := newSessionSecrets()
	if err != nil {
		return nil, err
	}
	now := s.now()
	expires := now.Add(s.cfg.SessionMax)
	ua := in.UserAgent
	if len(ua) > 256 {
		ua = ua[:256]
	}
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		if _, err := tx.Update(ctx, CollUsers, u.ID, store.Patch{Set: set}, nil); err != nil {
			return err
		}
		if _, err := tx.Insert(ctx, CollSessions, store.Doc{
			"_id": sess.id, "userId": u.ID, "csrfHash": sess.csrfHash,
			"createdAt": s.nowString(), "lastSeenAt": s.nowString(), "expiresAt": formatT(expires),
			"ip": in.IP, "userAgent": ua,
		}); err != nil {
			return err
		}
		c.Principal = &Principal{UserID: u.ID, Username: u.Username}
		return s.record(ctx, tx, c, "auth.login", "user:"+u.ID, map[string]any{"session": sess.id[:12]})
	})
	if err != nil {
		return nil, err
	}
	p, err := s.principalFor(ctx, u)
	if err != nil {
		return nil, err
	}
	p.SessionID, p.csrfHash = sess.id, sess.csrfSum[:]
	return &LoginResult{Token: sess.token, CSRFToken: sess.csrf, ExpiresAt: expires, Principal: p}, nil
}
