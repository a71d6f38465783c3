package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// An API key is "tgk_<id>_<secret>": the id finds the stored key, the
// secret proves possession. The secret is 32 random bytes (256 bits), so it
// is stored as a plain SHA-256: a slow password hash exists to make guessing
// low-entropy secrets expensive, and nobody can enumerate 2^256 candidates,
// whereas a fast hash keeps key checks cheap on every integration request.

// APIKey describes a key; the secret is never part of it.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	OwnerID    string     `json:"ownerId"` // the user the key acts for
	Apps       []string   `json:"apps"`
	Actions    []string   `json:"actions"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

// APIKeyInput creates a key. OwnerID "" makes the caller the owner. The key
// acts with its owner's units, positions and roles, narrowed to Apps and
// Actions; a disabled owner disables the key.
type APIKeyInput struct {
	Name      string     `json:"name"`
	OwnerID   string     `json:"ownerId"`
	Apps      []string   `json:"apps"`
	Actions   []string   `json:"actions"` // "app/action", "app/*" or "*"
	ExpiresAt *time.Time `json:"expiresAt"`
}

type apiKeyDoc struct {
	ID         string   `json:"_id"`
	Name       string   `json:"name"`
	OwnerID    string   `json:"ownerId"`
	Apps       []string `json:"apps"`
	Actions    []string `json:"actions"`
	SecretHash string   `json:"secretHash"`
	CreatedAt  string   `json:"createdAt"`
	CreatedBy  string   `json:"createdBy"`
	ExpiresAt  string   `json:"expiresAt"`
	RevokedAt  string   `json:"revokedAt"`
	LastUsedAt string   `json:"lastUsedAt"`
}

func (d *apiKeyDoc) key() *APIKey {
	k := &APIKey{ID: d.ID, Name: d.Name, OwnerID: d.OwnerID, Apps: d.Apps, Actions: d.Actions,
		CreatedAt: parseTime(d.CreatedAt), CreatedBy: d.CreatedBy}
	for _, f := range []struct {
		s   string
		dst **time.Time
	}{{d.ExpiresAt, &k.ExpiresAt}, {d.RevokedAt, &k.RevokedAt}, {d.LastUsedAt, &k.LastUsedAt}} {
		if t := parseTime(f.s); !t.IsZero() {
			*f.dst = &t
		}
	}
	return k
}

var actionRe = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})/(\*|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$`)

func (s *Service) checkKeyInput(ctx context.Context, in *APIKeyInput) error {
	var fe []errs.FieldError
	add := func(path, msg string) {
		fe = append(fe, errs.FieldError{Path: path, Code: "auth.invalid_apikey", Message: msg})
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		add("name", "name is required, at most 100 characters")
	}
	if len(in.Apps) == 0 {
		add("apps", "a key needs at least one app")
	}
	apps := map[string]bool{}
	for i, a := range in.Apps {
		if !appKeyRe.MatchString(a) {
			add(fmt.Sprintf("apps[%d]", i), "not an app key")
		}
		apps[a] = true
	}
	for i, a := range in.Actions {
		if a == "*" {
			continue
		}
		m := actionRe.FindStringSubmatch(a)
		switch {
		case m == nil:
			add(fmt.Sprintf("actions[%d]", i), `use "app/action", "app/*" or "*"`)
		case !apps[m[1]]:
			add(fmt.Sprintf("actions[%d]", i), "the action's app is not among the key's apps")
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		add("expiresAt", "must be in the future")
	}
	owner, err := getUserDoc(ctx, s.st, in.OwnerID)
	switch {
	case isCode(err, ErrUserNotFound):
		add("ownerId", "no such user")
	case err != nil:
		return err
	case owner.Disabled:
		add("ownerId", "the user is disabled")
	}
	return errs.Validation(errs.Unprocessable, "auth.invalid_apikey", "the API key is invalid", fe)
}

// CreateAPIKey makes a key and returns it with its token
// "tgk_<id>_<secret>". The token is shown this once: only a hash is kept.
func (s *Service) CreateAPIKey(ctx context.Context, c Caller, in APIKeyInput) (*APIKey, string, error) {
	if err := s.authorize(ctx, c, "apikey.create"); err != nil {
		return nil, "", err
	}
	if in.OwnerID == "" {
		in.OwnerID = c.Principal.UserID
	}
	if err := s.checkKeyInput(ctx, &in); err != nil {
		return nil, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	id := store.NewID()
	sum := sha256.Sum256([]byte(secret))
	var expires any
	if in.ExpiresAt != nil {
		expires = formatT(*in.ExpiresAt)
	}
	actions := in.Actions
	if actions == nil {
		actions = []string{}
	}
	doc := store.Doc{"_id": id, "name": in.Name, "ownerId": in.OwnerID, "apps": anyList(in.Apps),
		"actions": anyList(actions), "secretHash": hex.EncodeToString(sum[:]), "createdAt": s.nowString(),
		"createdBy": c.Principal.Actor(), "expiresAt": expires, "revokedAt": nil, "lastUsedAt": nil}
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		if _, err := tx.Insert(ctx, CollAPIKeys, doc); err != nil {
			return err
		}
		return s.record(ctx, tx, c, "apikey.create", "apikey:"+id, map[string]any{
			"name": in.Name, "ownerId": in.OwnerID, "apps": in.Apps, "actions": actions, "expiresAt": expires})
	})
	if err != nil {
		return nil, "", err
	}
	k, err := s.GetAPIKey(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return k, APIKeyPrefix + id + "_" + secret, nil
}

// GetAPIKey returns a key's description.
func (s *Service) GetAPIKey(ctx context.Context, id string) (*APIKey, error) {
	d, err := s.getKeyDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.key(), nil
}

func (s *Service) getKeyDoc(ctx context.Context, id string) (*apiKeyDoc, error) {
	return getDoc[apiKeyDoc](ctx, s.st, CollAPIKeys, id, ErrKeyNotFound)
}

// ListAPIKeys returns every key (revoked ones included), newest first.
func (s *Service) ListAPIKeys(ctx context.Context, c Caller) ([]*APIKey, error) {
	if err := s.authorize(ctx, c, "apikey.list"); err != nil {
		return nil, err
	}
	docs, err := s.st.Find(ctx, CollAPIKeys, store.Query{Sort: []query.SortKey{{Field: fID, Desc: true}}, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	return decodeAll(docs, (*apiKeyDoc).key)
}

// RevokeAPIKey stops key id from working, at once and for good.
func (s *Service) RevokeAPIKey(ctx context.Context, c Caller, id string) error {
	if err := s.authorize(ctx, c, "apikey.revoke"); err != nil {
		return err
	}
	defer s.princ.dropKey(id)
	return s.st.Tx(ctx, func(tx store.Ops) error {
		_, err := tx.Update(ctx, CollAPIKeys, id, store.Patch{Set: map[string]any{"revokedAt": s.nowString()}},
			query.Eq(query.Field{Path: "revokedAt", Kind: query.KindTime}, query.Null(query.KindTime)))
		switch {
		case isCode(err, store.ErrNotFound):
			return ErrKeyNotFound
		case isCode(err, store.ErrConditionFailed):
			return nil // already revoked
		case err != nil:
			return err
		}
		return s.record(ctx, tx, c, "apikey.revoke", "apikey:"+id, nil)
	})
}

// authenticateKey checks "tgk_<id>_<secret>" and returns the owner's
// Principal narrowed by the key's scope. The key is read on every
// request, so a key revoked or expired anywhere is refused at once; the
// owner behind it is cached (principalcache.go).
func (s *Service) authenticateKey(ctx context.Context, token string) (*Principal, error) {
	rest := strings.TrimPrefix(token, APIKeyPrefix)
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || id == "" || len(secret) != 43 || len(id) > 40 {
		return nil, ErrUnauthenticated
	}
	d, err := s.st.Get(ctx, CollAPIKeys, id)
	if isCode(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	str := func(k string) string { v, _ := d[k].(string); return v }
	sum := sha256.Sum256([]byte(secret))
	want, err := hex.DecodeString(str("secretHash"))
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return nil, ErrUnauthenticated
	}
	now := s.nowString()
	if str("revokedAt") != "" || (str("expiresAt") != "" && str("expiresAt") <= now) {
		return nil, ErrUnauthenticated
	}
	if stale, last := formatT(s.now().Add(-touchEvery)), str("lastUsedAt"); last == "" || last <= stale {
		cond := query.Or(query.Eq(fLastUsed, query.Null(query.KindTime)), query.Cmp(fLastUsed, query.OpLte, query.TimeV(stale)))
		if err := s.touch(ctx, CollAPIKeys, id, "lastUsedAt", now, cond); err != nil {
			return nil, err
		}
	}
	ck := "k:" + id
	if p, ok := s.princ.get(ck, s.now()); ok {
		return p, nil
	}
	epoch := s.princ.begin()
	var k apiKeyDoc
	if err := decode(d, &k); err != nil {
		return nil, err
	}
	u, err := activeUser(ctx, s.st, k.OwnerID)
	if err != nil {
		return nil, err
	}
	p, err := s.principalFor(ctx, u)
	if err != nil {
		return nil, err
	}
	p.APIKey = &KeyScope{ID: k.ID, Name: k.Name, Apps: k.Apps, Actions: k.Actions}
	s.princ.put(ck, epoch, s.now(), cachedPrincipal{p: p, userID: u.ID, key: k.ID})
	return p, nil
}
