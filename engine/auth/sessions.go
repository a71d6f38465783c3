package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Token prefixes. They tell a session token from an API key without a
// store read and make leaked secrets easy to spot by scanners.
const (
	SessionPrefix = "tgs_"
	APIKeyPrefix  = "tgk_"
)

// touchEvery is how stale a session's lastSeenAt or a key's lastUsedAt may
// get before a request writes it again: at most one write per minute per
// session or key instead of one per request. Idle expiry is therefore
// exact to within a minute.
const touchEvery = time.Minute

type sessionSecrets struct {
	token, id string // the secret and the stored id: hex SHA-256 of its 32 bytes
	csrf      string
	csrfSum   [32]byte
	csrfHash  string
}

func newSessionSecrets() (*sessionSecrets, error) {
	raw := make([]byte, 32)
	csrf := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	if _, err := rand.Read(csrf); err != nil {
		return nil, err
	}
	enc := base64.RawURLEncoding
	s := &sessionSecrets{token: SessionPrefix + enc.EncodeToString(raw), id: sessionID(raw), csrf: enc.EncodeToString(csrf)}
	s.csrfSum = sha256.Sum256([]byte(s.csrf))
	s.csrfHash = hex.EncodeToString(s.csrfSum[:])
	return s, nil
}

func sessionID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// parseSessionToken returns the stored id for a session token, or false
// when the token is not shaped like one.
func parseSessionToken(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, SessionPrefix)
	if !ok || len(rest) != 43 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) != 32 {
		return "", false
	}
	return sessionID(raw), true
}

type sessionDoc struct {
	ID         string `json:"_id"`
	UserID     string `json:"userId"`
	CSRFHash   string `json:"csrfHash"`
	LastSeenAt string `json:"lastSeenAt"`
	ExpiresAt  string `json:"expiresAt"`
}

func formatT(t time.Time) string { return query.FormatTime(t) }

var errExpired = errs.New(errs.Unauthorized, ErrUnauthenticated.Code, "the session has expired; sign in again")

// Authenticate resolves a session token or an API key (as sent in a cookie
// or an "Authorization: Bearer" header) to the Principal the request runs
// as. A Principal is reused for at most Config.PrincipalTTL (see
// principalcache.go); every change through this Service that affects it
// applies at once, so a disabled user is refused from the next request.
// Any bad, forged, expired or revoked token gives auth.unauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	switch {
	case strings.HasPrefix(token, SessionPrefix):
		return s.authenticateSession(ctx, token)
	case strings.HasPrefix(token, APIKeyPrefix):
		return s.authenticateKey(ctx, token)
	}
	return nil, ErrUnauthenticated
}

func (s *Service) authenticateSession(ctx context.Context, token string) (*Principal, error) {
	id, ok := parseSessionToken(token)
	if !ok {
		return nil, ErrUnauthenticated
	}
	// The session itself is read on every request, cached Principal or
	// not: a session ended, expired or aged anywhere (another process, a
	// password change, a disabled user: those delete the sessions) is
	// refused at once. Only the user and the org tree behind the
	// Principal are cached (principalcache.go).
	d, err := s.st.Get(ctx, CollSessions, id)
	if isCode(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	sess := sessionDoc{ID: id}
	sess.UserID, _ = d["userId"].(string)
	sess.CSRFHash, _ = d["csrfHash"].(string)
	sess.LastSeenAt, _ = d["lastSeenAt"].(string)
	sess.ExpiresAt, _ = d["expiresAt"].(string)
	now := s.now()
	nowS := formatT(now)
	if sess.ExpiresAt <= nowS || formatT(parseTime(sess.LastSeenAt).Add(s.cfg.SessionIdle)) <= nowS {
		_ = s.st.Delete(ctx, CollSessions, id, nil) // best effort: PurgeExpiredSessions catches the rest
		return nil, errExpired
	}
	if stale := formatT(now.Add(-touchEvery)); sess.LastSeenAt <= stale {
		if err := s.touch(ctx, CollSessions, id, "lastSeenAt", nowS, query.Cmp(fLastSeen, query.OpLte, query.TimeV(stale))); err != nil {
			return nil, err
		}
	}
	if p, ok := s.princ.get(sessionKey(id), now); ok && p.UserID == sess.UserID {
		return p, nil
	}
	epoch := s.princ.begin()
	u, err := activeUser(ctx, s.st, sess.UserID)
	if err != nil {
		return nil, err
	}
	p, err := s.principalFor(ctx, u)
	if err != nil {
		return nil, err
	}
	p.SessionID = id
	if sum, err := hex.DecodeString(sess.CSRFHash); err == nil {
		p.csrfHash = sum
	}
	s.princ.put(sessionKey(id), epoch, now, cachedPrincipal{p: p, userID: u.ID, session: id})
	return p, nil
}

// touch sets field to now on document id of coll while cond holds. The
// condition keeps concurrent requests with one token from all writing;
// losing the race (or to a delete) is fine, someone else touched it.
func (s *Service) touch(ctx context.Context, coll, id, field, now string, cond *query.Node) error {
	_, err := s.st.Update(ctx, coll, id, store.Patch{Set: map[string]any{field: now}}, cond)
	if err != nil && !isCode(err, store.ErrConditionFailed) && !isCode(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// Logout ends the caller's session. Ending an already ended session is not
// an error.
func (s *Service) Logout(ctx context.Context, c Caller) error {
	p := c.Principal
	if p == nil || p.SessionID == "" {
		return ErrUnauthenticated
	}
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		err := tx.Delete(ctx, CollSessions, p.SessionID, nil)
		if isCode(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, c, "auth.logout", "user:"+p.UserID, map[string]any{"session": p.SessionID[:12]})
	})
	// Also after a failure: the session may be gone all the same.
	s.princ.dropSession(p.SessionID)
	return err
}

// deleteUserSessions ends every session of userID except keep.
func (s *Service) deleteUserSessions(ctx context.Context, userID, keep string) error {
	filter := query.Eq(fUserID, query.Str(userID))
	if keep != "" {
		filter = query.And(filter, query.Cmp(fID, query.OpNe, query.Str(keep)))
	}
	_, err := s.deleteAll(ctx, CollSessions, filter)
	// The kept session's Principal is dropped too: it is rebuilt from the
	// user's new state on its next request.
	s.princ.dropUser(userID)
	return err
}

// PurgeExpiredSessions deletes sessions past their absolute or idle end and
// returns how many. Run it periodically; Authenticate refuses expired
// sessions whether or not they were purged.
func (s *Service) PurgeExpiredSessions(ctx context.Context) (int, error) {
	now := s.now()
	filter := query.Or(
		query.Cmp(fExpiresAt, query.OpLte, query.TimeV(formatT(now))),
		query.Cmp(fLastSeen, query.OpLte, query.TimeV(formatT(now.Add(-s.cfg.SessionIdle)))),
	)
	return s.deleteAll(ctx, CollSessions, filter)
}

// deleteAll deletes the documents matching filter a page at a time (the
// port has no bulk delete) and returns how many it deleted. Each pass
// re-reads the first page, which no longer holds what was deleted.
func (s *Service) deleteAll(ctx context.Context, coll string, filter *query.Node) (int, error) {
	n := 0
	for {
		docs, err := s.st.Find(ctx, coll, store.Query{Filter: filter, Limit: 500, Fields: []string{"_id"}})
		if err != nil || len(docs) == 0 {
			return n, err
		}
		for _, d := range docs {
			id, _ := d["_id"].(string)
			err := s.st.Delete(ctx, coll, id, nil)
			if err != nil && !isCode(err, store.ErrNotFound) {
				return n, err
			}
			if err == nil {
				n++
			}
		}
	}
}
