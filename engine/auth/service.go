// Package auth is Tangram's identity layer: users and their passwords,
// sessions and API keys, the organization tree (units, unit kinds,
// positions), the Principal every request runs as, and the append-only audit
// log. Role and row/field policy enforcement sit on top of the Principal and
// are not decided here; this package only guards its own identity
// operations (through Config.Authorize).
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Collections owned by this package.
const (
	CollUsers     = "users"
	CollSessions  = "sessions"
	CollAPIKeys   = "api_keys"
	CollUnits     = "org_units"
	CollUnitKinds = "org_unit_kinds"
	CollPositions = "org_positions"
	CollAudit     = "audit_log"
	collMeta      = "auth_meta" // counters and one-time markers
)

// Config tunes a Service. Zero fields take the defaults documented on each.
type Config struct {
	// Now is the clock (tests inject one). Default time.Now.
	Now func() time.Time
	// Hash are the argon2id parameters for new hashes. Default DefaultHashParams.
	Hash HashParams
	// SessionIdle ends a session unused for this long. Default 12h.
	SessionIdle time.Duration
	// SessionMax ends a session this long after login, used or not. Default 7 days.
	SessionMax time.Duration
	// MaxFailures consecutive wrong passwords lock an account. Default 5.
	MaxFailures int
	// LockFor is how long a lock lasts. Default 15 minutes.
	LockFor time.Duration
	// LoginPerIP and LoginPerUser bound login attempts per minute from one
	// client IP and for one username, on this server instance. Defaults 30
	// and 10.
	LoginPerIP   int
	LoginPerUser int
	// MaxHashing bounds concurrent password hashes: each argon2id hash holds
	// Hash.Memory KiB, so this caps the memory a login burst can take.
	// Default 2 × GOMAXPROCS.
	MaxHashing int
	// PrincipalTTL is how long Authenticate may reuse a Principal it built
	// for a token (see principalcache.go). Changes made through this
	// Service apply at once regardless; another server process sharing
	// the store sees them within this bound. Default DefaultPrincipalTTL;
	// negative disables the cache.
	PrincipalTTL time.Duration
	// Authorize decides whether p may perform an administrative identity
	// action (the audit action name, e.g. "user.create"). Default: only
	// platform admins signed in with a session, and the system.
	Authorize func(ctx context.Context, p *Principal, action string) error
}

// Service is the identity service over one store.
type Service struct {
	st      store.Store
	cfg     Config
	now     func() time.Time
	hashSem chan struct{}
	dummy   string // hash verified for unknown users so they cost the same
	limiter *loginLimiter
	org     *subtreeCache
	princ   *principalCache

	// Audit is the audit log; other engines record their entries through it.
	Audit *AuditLog
}

// New makes a Service. Call Init once at start-up before using it.
func New(st store.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Hash == (HashParams{}) {
		cfg.Hash = DefaultHashParams
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 12 * time.Hour
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = 7 * 24 * time.Hour
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.LockFor <= 0 {
		cfg.LockFor = 15 * time.Minute
	}
	if cfg.LoginPerIP <= 0 {
		cfg.LoginPerIP = 30
	}
	if cfg.LoginPerUser <= 0 {
		cfg.LoginPerUser = 10
	}
	if cfg.MaxHashing <= 0 {
		cfg.MaxHashing = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.Authorize == nil {
		cfg.Authorize = adminOnly
	}
	if cfg.PrincipalTTL == 0 {
		cfg.PrincipalTTL = DefaultPrincipalTTL
	}
	s := &Service{
		st:      st,
		cfg:     cfg,
		now:     cfg.Now,
		hashSem: make(chan struct{}, cfg.MaxHashing),
		limiter: newLoginLimiter(cfg.LoginPerIP, cfg.LoginPerUser, time.Minute),
		org:     newSubtreeCache(),
		princ:   newPrincipalCache(max(cfg.PrincipalTTL, 0)),
		Audit:   NewAuditLog(st, cfg.Now),
	}
	// The dummy hash uses the live parameters, so an unknown username costs
	// exactly what a known one does.
	s.dummy = mustHash("tangram-dummy-password", cfg.Hash)
	return s
}

// Init creates the indexes and seeds the default unit kinds and positions
// (once: an admin may edit or delete them afterwards).
func (s *Service) Init(ctx context.Context) error {
	indexes := map[string][]store.Index{
		CollUsers: {
			{Name: "users_username", Fields: []string{"username"}, Unique: true},
			{Name: "users_member_keys", Fields: []string{"memberKeys"}},
			{Name: "users_unit_ids", Fields: []string{"unitIds"}},
		},
		CollSessions: {
			{Name: "sessions_user", Fields: []string{"userId"}},
			{Name: "sessions_expires", Fields: []string{"expiresAt"}},
		},
		CollAPIKeys: {{Name: "api_keys_owner", Fields: []string{"ownerId"}}},
		CollUnits: {
			{Name: "org_units_path", Fields: []string{"path"}},
			{Name: "org_units_parent", Fields: []string{"parentId"}},
			{Name: "org_units_code", Fields: []string{"code"}, Unique: true},
		},
		// No index on "at": entries are read newest first by id, and ids
		// (store.NewID) follow the time, so the primary key already
		// serves the order and recent time ranges. Every index costs each
		// audited write (a data write's transaction carries one entry).
		CollAudit: {
			{Name: "audit_action", Fields: []string{"action"}},
			{Name: "audit_actor", Fields: []string{"actor"}},
			{Name: "audit_target", Fields: []string{"target"}},
		},
	}
	for _, coll := range []string{CollUsers, CollSessions, CollAPIKeys, CollUnits, CollAudit} {
		if err := s.st.EnsureIndexes(ctx, coll, indexes[coll]); err != nil {
			return err
		}
	}
	return s.seedOrgData(ctx)
}

// Caller is who performs an operation and from where; it feeds the
// permission check and the audit entry of the operation.
type Caller struct {
	Principal *Principal
	IP        string
	RequestID string
}

// System is the caller for start-up and CLI work done by the server itself.
func System() Caller { return Caller{Principal: systemPrincipal} }

// Errors of this package. Each is a sentinel usable with errors.Is.
var (
	// ErrInvalidCredentials is the one answer to a wrong password, an unknown
	// user, a locked or a disabled account, so none of them can be told apart.
	ErrInvalidCredentials = errs.New(errs.Unauthorized, "auth.invalid_credentials", "invalid username or password")
	// ErrUnauthenticated is a missing, malformed, forged, expired or revoked token.
	ErrUnauthenticated = errs.New(errs.Unauthorized, "auth.unauthenticated", "authentication required")
	ErrForbidden       = errs.New(errs.Forbidden, "auth.forbidden", "not allowed")
	ErrCSRF            = errs.New(errs.Forbidden, "auth.csrf", "missing or invalid CSRF token")
	ErrWeakPassword    = errs.New(errs.Unprocessable, "auth.weak_password", "the password does not meet the password policy")
	ErrUserExists      = errs.New(errs.Conflict, "auth.user_exists", "a user with this username already exists")
	ErrUserNotFound    = errs.New(errs.NotFound, "auth.user_not_found", "no such user")
	ErrRateLimited     = errs.New(errs.TooMany, "auth.rate_limited", "too many sign-in attempts; try again in a minute")
	ErrKeyNotFound     = errs.New(errs.NotFound, "auth.apikey_not_found", "no such API key")
	ErrUnitNotFound    = errs.New(errs.NotFound, "org.unit_not_found", "no such unit")
	ErrUnitCodeExists  = errs.New(errs.Conflict, "org.unit_code_exists", "a unit with this code already exists")
	ErrUnitNotEmpty    = errs.New(errs.Conflict, "org.unit_not_empty", "the unit still has sub-units or members")
	ErrMoveCycle       = errs.New(errs.Unprocessable, "org.move_cycle", "a unit cannot move under itself or its own descendant")
	ErrKindNotFound    = errs.New(errs.NotFound, "org.kind_not_found", "no such unit kind")
	ErrKindInUse       = errs.New(errs.Conflict, "org.kind_in_use", "units of this kind exist")
	ErrPositionMissing = errs.New(errs.NotFound, "org.position_not_found", "no such position")
	ErrPositionInUse   = errs.New(errs.Conflict, "org.position_in_use", "users hold this position")
)

func adminOnly(_ context.Context, p *Principal, _ string) error {
	if p != nil && p.Admin && p.APIKey == nil {
		return nil
	}
	return ErrForbidden
}

// authorize checks an administrative action for the caller.
func (s *Service) authorize(ctx context.Context, c Caller, action string) error {
	if c.Principal == nil {
		return ErrUnauthenticated
	}
	if c.Principal.isSystem() {
		return nil
	}
	return s.cfg.Authorize(ctx, c.Principal, action)
}

// record writes an audit entry for an operation of c.
func (s *Service) record(ctx context.Context, ops store.Ops, c Caller, action, target string, details map[string]any) error {
	e := Entry{Actor: "anonymous", Action: action, Target: target, Details: details, IP: c.IP, RequestID: c.RequestID}
	if c.Principal != nil {
		e.Actor, e.ActorName = c.Principal.Actor(), c.Principal.Username
		if c.Principal.APIKey != nil {
			e.ActorName = c.Principal.APIKey.Name
		}
	}
	return s.Audit.RecordTx(ctx, ops, e)
}

func (s *Service) nowString() string { return query.FormatTime(s.now()) }

// decode converts a store document into one of this package's doc structs.
// A JSON round trip is the simplest exact conversion: adapters hand numbers
// back as json.Number, which re-encodes to the same digits.
func decode(d store.Doc, v any) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// getDoc reads document id of coll as a T. A missing document, and an empty
// id, is notFound: the caller's own error for the kind of thing it reads.
func getDoc[T any](ctx context.Context, st store.Ops, coll, id string, notFound error) (*T, error) {
	if id == "" {
		return nil, notFound
	}
	d, err := st.Get(ctx, coll, id)
	if isCode(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	var v T
	return &v, decode(d, &v)
}

// decodeAll decodes each document as a T and turns it into what the API
// shows with view; the result is never nil.
func decodeAll[T, V any](docs []store.Doc, view func(*T) V) ([]V, error) {
	out := make([]V, 0, len(docs))
	for _, d := range docs {
		var v T
		if err := decode(d, &v); err != nil {
			return nil, err
		}
		out = append(out, view(&v))
	}
	return out, nil
}

// parseTime reads a stored canonical time; empty or bad text gives zero.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func isCode(err error, base *errs.Error) bool { return errors.Is(err, base) }

// Query fields the package's own conditions and lookups use.
var (
	fID          = query.Field{Path: "_id", Kind: query.KindString}
	fUsername    = query.Field{Path: "username", Kind: query.KindString}
	fUserID      = query.Field{Path: "userId", Kind: query.KindString}
	fDisabled    = query.Field{Path: "disabled", Kind: query.KindBool}
	fFailed      = query.Field{Path: "failedLogins", Kind: query.KindInt}
	fLockedUntil = query.Field{Path: "lockedUntil", Kind: query.KindTime}
	fLastSeen    = query.Field{Path: "lastSeenAt", Kind: query.KindTime}
	fLastUsed    = query.Field{Path: "lastUsedAt", Kind: query.KindTime}
	fExpiresAt   = query.Field{Path: "expiresAt", Kind: query.KindTime}
	fMemberKeys  = query.Field{Path: "memberKeys", Kind: query.KindString, Array: true}
	fUnitIDs     = query.Field{Path: "unitIds", Kind: query.KindString, Array: true}
	fPositions   = query.Field{Path: "positions", Kind: query.KindString, Array: true}
	fPath        = query.Field{Path: "path", Kind: query.KindString}
	fParentID    = query.Field{Path: "parentId", Kind: query.KindString}
	fKind        = query.Field{Path: "kind", Kind: query.KindString}
)
