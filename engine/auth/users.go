package auth

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// User is a user as the API shows it; the password hash never leaves the
// package.
type User struct {
	ID          string       `json:"id"`
	Username    string       `json:"username"`
	DisplayName string       `json:"displayName"`
	Admin       bool         `json:"admin"`
	Disabled    bool         `json:"disabled"`
	Memberships []Membership `json:"memberships"`
	Roles       []RoleRef    `json:"roles"`
	LockedUntil *time.Time   `json:"lockedUntil,omitempty"`
	LastLoginAt *time.Time   `json:"lastLoginAt,omitempty"`
	Version     int64        `json:"version"`
	CreatedAt   time.Time    `json:"createdAt"`
	UpdatedAt   time.Time    `json:"updatedAt"`
}

// UserInput creates a user.
type UserInput struct {
	Username    string       `json:"username"`
	DisplayName string       `json:"displayName"`
	Password    string       `json:"password"`
	Admin       bool         `json:"admin"`
	Memberships []Membership `json:"memberships"`
	Roles       []RoleRef    `json:"roles"`
}

// UserPatch changes a user; nil fields stay. A user may change their own
// display name; everything else is an administrative action.
type UserPatch struct {
	DisplayName *string       `json:"displayName"`
	Admin       *bool         `json:"admin"`
	Memberships *[]Membership `json:"memberships"`
	Roles       *[]RoleRef    `json:"roles"`
}

// userDoc is the stored user. memberKeys ("<unitId>:<position>"), unitIds
// and positions repeat the memberships as flat string arrays so that "who
// holds a manager position in unit U" and "who belongs to U" are plain
// indexed array matches in every store.
type userDoc struct {
	ID           string       `json:"_id"`
	Username     string       `json:"username"`
	DisplayName  string       `json:"displayName"`
	PasswordHash string       `json:"passwordHash"`
	Admin        bool         `json:"admin"`
	Disabled     bool         `json:"disabled"`
	Memberships  []Membership `json:"memberships"`
	Roles        []RoleRef    `json:"roles"`
	FailedLogins int64        `json:"failedLogins"`
	LockedUntil  string       `json:"lockedUntil"`
	LastLoginAt  string       `json:"lastLoginAt"`
	Version      int64        `json:"version"`
	CreatedAt    string       `json:"createdAt"`
	UpdatedAt    string       `json:"updatedAt"`
}

func (d *userDoc) user() *User {
	u := &User{ID: d.ID, Username: d.Username, DisplayName: d.DisplayName, Admin: d.Admin, Disabled: d.Disabled,
		Memberships: d.Memberships, Roles: d.Roles, Version: d.Version,
		CreatedAt: parseTime(d.CreatedAt), UpdatedAt: parseTime(d.UpdatedAt)}
	if u.Memberships == nil {
		u.Memberships = []Membership{}
	}
	if u.Roles == nil {
		u.Roles = []RoleRef{}
	}
	if t := parseTime(d.LockedUntil); !t.IsZero() {
		u.LockedUntil = &t
	}
	if t := parseTime(d.LastLoginAt); !t.IsZero() {
		u.LastLoginAt = &t
	}
	return u
}

// membershipFields are the stored forms of a membership list.
func membershipFields(ms []Membership) map[string]any {
	keys, units, positions := []any{}, []string{}, []string{}
	list := make([]any, 0, len(ms))
	for _, m := range ms {
		keys = append(keys, m.UnitID+":"+m.Position)
		units = append(units, m.UnitID)
		positions = append(positions, m.Position)
		list = append(list, map[string]any{"unitId": m.UnitID, "position": m.Position})
	}
	return map[string]any{"memberships": list, "memberKeys": keys,
		"unitIds": anyList(uniq(units)), "positions": anyList(uniq(positions))}
}

func rolesField(rs []RoleRef) []any {
	out := make([]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, map[string]any{"app": r.App, "role": r.Role})
	}
	return out
}

var (
	usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)
	appKeyRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// NormalizeUsername is how usernames are compared and stored: trimmed,
// lower case, so "Li.Wei" and "li.wei" are one account.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkAccess validates memberships (units and positions must exist) and
// role references, appending field errors.
func (s *Service) checkAccess(ctx context.Context, ms []Membership, rs []RoleRef, fe *[]errs.FieldError) error {
	positions, err := listPositions(ctx, s.st)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, p := range positions {
		known[p.Key] = true
	}
	seen := map[Membership]bool{}
	for i, m := range ms {
		at := fmt.Sprintf("memberships[%d]", i)
		if _, err := getUnit(ctx, s.st, m.UnitID); isCode(err, ErrUnitNotFound) {
			*fe = append(*fe, errs.FieldError{Path: at + ".unitId", Code: ErrUnitNotFound.Code, Message: "no such unit"})
		} else if err != nil {
			return err
		}
		if !known[m.Position] {
			*fe = append(*fe, errs.FieldError{Path: at + ".position", Code: ErrPositionMissing.Code, Message: "no such position"})
		}
		if seen[m] {
			*fe = append(*fe, errs.FieldError{Path: at, Code: "auth.duplicate", Message: "listed twice"})
		}
		seen[m] = true
	}
	for i, r := range rs {
		if !appKeyRe.MatchString(r.App) || !appKeyRe.MatchString(r.Role) {
			*fe = append(*fe, errs.FieldError{Path: fmt.Sprintf("roles[%d]", i), Code: "auth.invalid_role", Message: "app and role keys are required"})
		}
	}
	return nil
}

func checkDisplayName(name string, fe *[]errs.FieldError) {
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > 100 {
		*fe = append(*fe, errs.FieldError{Path: "displayName", Code: "auth.invalid", Message: "display name is required, at most 100 characters"})
	}
}

// CreateUser adds a user. Every problem with the input (username, password
// policy, display name, units, positions, roles) comes back at once.
func (s *Service) CreateUser(ctx context.Context, c Caller, in UserInput) (*User, error) {
	if err := s.authorize(ctx, c, "user.create"); err != nil {
		return nil, err
	}
	return s.createUser(ctx, c, in, nil)
}

func (s *Service) createUser(ctx context.Context, c Caller, in UserInput, extra map[string]any) (*User, error) {
	in.Username = NormalizeUsername(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	var fe []errs.FieldError
	if !usernameRe.MatchString(in.Username) {
		fe = append(fe, errs.FieldError{Path: "username", Code: "auth.invalid_username",
			Message: "2–64 characters: lower-case letters, digits and . _ @ -"})
	}
	if err := CheckPassword(in.Password, in.Username, "password"); err != nil {
		e, _ := errs.As(err)
		fe = append(fe, e.Fields...)
	}
	checkDisplayName(in.DisplayName, &fe)
	if err := s.checkAccess(ctx, in.Memberships, in.Roles, &fe); err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		code := "auth.invalid_user"
		if onlyPasswordErrors(fe) {
			code = ErrWeakPassword.Code
		}
		return nil, errs.Validation(errs.Unprocessable, code, "the user is invalid", fe)
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	id, now := store.NewID(), s.nowString()
	doc := store.Doc{"_id": id, "username": in.Username, "displayName": in.DisplayName, "passwordHash": hash,
		"admin": in.Admin, "disabled": false, "roles": rolesField(in.Roles), "failedLogins": 0, "lockedUntil": nil,
		"version": 1, "createdAt": now, "updatedAt": now}
	for k, v := range membershipFields(in.Memberships) {
		doc[k] = v
	}
	details := map[string]any{"username": in.Username, "admin": in.Admin,
		"memberships": len(in.Memberships), "roles": len(in.Roles)}
	for k, v := range extra {
		details[k] = v
	}
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		if _, err := tx.Insert(ctx, CollUsers, doc); err != nil {
			if isCode(err, store.ErrDuplicate) {
				return ErrUserExists
			}
			return err
		}
		return s.record(ctx, tx, c, "user.create", "user:"+id, details)
	})
	if err != nil {
		return nil, err
	}
	return s.GetUser(ctx, id)
}

func onlyPasswordErrors(fe []errs.FieldError) bool {
	for _, f := range fe {
		if f.Path != "password" {
			return false
		}
	}
	return true
}

// hash runs argon2id under the concurrency bound.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquireHash(ctx); err != nil {
		return "", err
	}
	defer s.releaseHash()
	return HashPassword(password, s.cfg.Hash)
}

func (s *Service) acquireHash(ctx context.Context) error {
	select {
	case s.hashSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) releaseHash() { <-s.hashSem }

func getUserDoc(ctx context.Context, st store.Ops, id string) (*userDoc, error) {
	return getDoc[userDoc](ctx, st, CollUsers, id, ErrUserNotFound)
}

// activeUser reads the user a session or key acts for: a missing or
// disabled user makes the token worthless.
func activeUser(ctx context.Context, st store.Ops, id string) (*userDoc, error) {
	u, err := getUserDoc(ctx, st, id)
	switch {
	case isCode(err, ErrUserNotFound):
		return nil, ErrUnauthenticated
	case err != nil:
		return nil, err
	case u.Disabled:
		return nil, ErrUnauthenticated
	}
	return u, nil
}

// findByUsername returns the user with this (normalized) username or nil.
func (s *Service) findByUsername(ctx context.Context, username string) (*userDoc, error) {
	docs, err := s.st.Find(ctx, CollUsers, store.Query{Filter: query.Eq(fUsername, query.Str(username)), Limit: 1})
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	var u userDoc
	return &u, decode(docs[0], &u)
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	u, err := getUserDoc(ctx, s.st, id)
	if err != nil {
		return nil, err
	}
	return u.user(), nil
}

// UpdateUser applies p to user id. Each kind of change is its own audit
// entry: "user.update" (display name), "user.memberships_change" and
// "user.roles_change" (roles and the admin flag), with before and after.
func (s *Service) UpdateUser(ctx context.Context, c Caller, id string, p UserPatch) (*User, error) {
	if c.Principal == nil {
		return nil, ErrUnauthenticated
	}
	self := c.Principal.UserID == id && c.Principal.APIKey == nil && !c.Principal.isSystem()
	if !(self && p.Admin == nil && p.Memberships == nil && p.Roles == nil) {
		if err := s.authorize(ctx, c, "user.update"); err != nil {
			return nil, err
		}
	}
	if p == (UserPatch{}) {
		return s.GetUser(ctx, id) // nothing to change, nothing to audit
	}
	var fe []errs.FieldError
	if p.DisplayName != nil {
		*p.DisplayName = strings.TrimSpace(*p.DisplayName)
		checkDisplayName(*p.DisplayName, &fe)
	}
	var ms []Membership
	var rs []RoleRef
	if p.Memberships != nil {
		ms = *p.Memberships
	}
	if p.Roles != nil {
		rs = *p.Roles
	}
	if err := s.checkAccess(ctx, ms, rs, &fe); err != nil {
		return nil, err
	}
	if err := errs.Validation(errs.Unprocessable, "auth.invalid_user", "the user is invalid", fe); err != nil {
		return nil, err
	}
	set := map[string]any{"updatedAt": s.nowString()}
	if p.DisplayName != nil {
		set["displayName"] = *p.DisplayName
	}
	if p.Memberships != nil {
		for k, v := range membershipFields(ms) {
			set[k] = v
		}
	}
	if p.Roles != nil {
		set["roles"] = rolesField(rs)
	}
	if p.Admin != nil {
		set["admin"] = *p.Admin
	}
	defer s.princ.dropUser(id) // after the commit: see principalcache.go
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		before, err := getUserDoc(ctx, tx, id)
		if err != nil {
			return err
		}
		after, err := tx.Update(ctx, CollUsers, id, store.Patch{Set: set, Inc: map[string]int64{"version": 1}}, nil)
		if err != nil {
			return err
		}
		vers := map[string]any{"beforeVersion": before.Version, "afterVersion": after["version"]}
		entry := func(action string, more map[string]any) error {
			for k, v := range vers {
				more[k] = v
			}
			return s.record(ctx, tx, c, action, "user:"+id, more)
		}
		if p.DisplayName != nil {
			if err := entry("user.update", map[string]any{"changed": []any{"displayName"}}); err != nil {
				return err
			}
		}
		if p.Memberships != nil {
			if err := entry("user.memberships_change", map[string]any{
				"before": before.Memberships, "after": ms}); err != nil {
				return err
			}
		}
		if p.Roles != nil || p.Admin != nil {
			d := map[string]any{"beforeAdmin": before.Admin, "beforeRoles": before.Roles}
			if p.Roles != nil {
				d["afterRoles"] = rs
			}
			if p.Admin != nil {
				d["afterAdmin"] = *p.Admin
			}
			if err := entry("user.roles_change", d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetUser(ctx, id)
}

// SetDisabled disables or enables user id. Disabling ends the user's
// sessions at once: Authenticate re-reads the user on every call, and the
// session documents are deleted as well so enabling again does not revive
// them. A user cannot disable themselves.
func (s *Service) SetDisabled(ctx context.Context, c Caller, id string, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	if err := s.authorize(ctx, c, action); err != nil {
		return err
	}
	if disabled && c.Principal.UserID == id {
		return errs.New(errs.Conflict, "auth.disable_self", "you cannot disable your own account")
	}
	err := s.setUserFields(ctx, c, id, action, map[string]any{"disabled": disabled})
	if err != nil || !disabled {
		return err
	}
	return s.deleteUserSessions(ctx, id, "")
}

// ResetPassword sets a new password for user id (an administrator's
// action), clears any lockout and ends the user's sessions.
func (s *Service) ResetPassword(ctx context.Context, c Caller, id, password string) error {
	if err := s.authorize(ctx, c, "user.password_reset"); err != nil {
		return err
	}
	u, err := getUserDoc(ctx, s.st, id)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, u.Username, "password"); err != nil {
		return err
	}
	if err := s.setPassword(ctx, c, u, password, "user.password_reset"); err != nil {
		return err
	}
	return s.deleteUserSessions(ctx, id, "")
}

// ChangePassword changes the caller's own password; the old one is
// required, and a wrong one counts toward the lockout like a failed login.
// The caller's other sessions end; the current one stays.
func (s *Service) ChangePassword(ctx context.Context, c Caller, oldPassword, newPassword string) error {
	p := c.Principal
	if p == nil || p.isSystem() || p.APIKey != nil {
		return ErrForbidden
	}
	u, err := getUserDoc(ctx, s.st, p.UserID)
	if err != nil {
		return err
	}
	if err := s.acquireHash(ctx); err != nil {
		return err
	}
	ok := VerifyPassword(oldPassword, u.PasswordHash)
	s.releaseHash()
	// A locked account answers like a wrong password, so the form cannot be
	// used to learn whether a guess was right.
	if !ok || s.locked(u) {
		if !ok {
			if _, err := s.registerFailure(ctx, c, u); err != nil {
				return err
			}
		}
		return errs.Validation(errs.Unprocessable, "auth.wrong_password", "the current password is wrong",
			[]errs.FieldError{{Path: "oldPassword", Code: "auth.wrong_password", Message: "is wrong"}})
	}
	if err := CheckPassword(newPassword, u.Username, "newPassword"); err != nil {
		return err
	}
	if err := s.setPassword(ctx, c, u, newPassword, "user.password_change"); err != nil {
		return err
	}
	return s.deleteUserSessions(ctx, u.ID, p.SessionID)
}

func (s *Service) setPassword(ctx context.Context, c Caller, u *userDoc, password, action string) error {
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	return s.setUserFields(ctx, c, u.ID, action, map[string]any{"passwordHash": hash, "failedLogins": 0, "lockedUntil": nil})
}

// setUserFields sets fields of user id and its updatedAt, bumps its
// version and audits action with the version reached, in one transaction.
func (s *Service) setUserFields(ctx context.Context, c Caller, id, action string, set map[string]any) error {
	defer s.princ.dropUser(id) // after the commit: see principalcache.go
	return s.st.Tx(ctx, func(tx store.Ops) error {
		set["updatedAt"] = s.nowString()
		after, err := tx.Update(ctx, CollUsers, id, store.Patch{Set: set, Inc: map[string]int64{"version": 1}}, nil)
		if isCode(err, store.ErrNotFound) {
			return ErrUserNotFound
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, c, action, "user:"+id, map[string]any{"afterVersion": after["version"]})
	})
}
