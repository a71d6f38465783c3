package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// Membership places a user in an org unit with a position.
type Membership struct {
	UnitID   string `json:"unitId"`
	Position string `json:"position"`
}

// RoleRef assigns a role defined in an app.
type RoleRef struct {
	App  string `json:"app"`
	Role string `json:"role"`
}

// KeyScope is what an API key may touch. It narrows the key owner's rights:
// a request made with a key must pass both the owner's roles and this scope.
type KeyScope struct {
	ID      string
	Name    string
	Apps    []string // app keys
	Actions []string // "app/action", "app/*" or "*"
}

// AllowsApp reports whether the key may touch app.
func (k *KeyScope) AllowsApp(app string) bool {
	for _, a := range k.Apps {
		if a == app {
			return true
		}
	}
	return false
}

// AllowsAction reports whether the key may run action of app.
func (k *KeyScope) AllowsAction(app, action string) bool {
	if !k.AllowsApp(app) {
		return false
	}
	for _, a := range k.Actions {
		if a == "*" || a == app+"/*" || a == app+"/"+action {
			return true
		}
	}
	return false
}

// Principal is who a request runs as: a user signed in with a session or
// bearer token, or an API key acting for its owner. When APIKey is set,
// every check must also pass the key's scope; Admin does not bypass it.
type Principal struct {
	UserID      string
	Username    string
	DisplayName string
	Admin       bool // platform admin
	Memberships []Membership
	Units       []string // unit ids of the memberships, first membership first
	UnitSubtree []string // the units and all their descendants
	UnitPath    string   // materialized path of the first unit ("" without units)
	Positions   []string
	Roles       []RoleRef
	APIKey      *KeyScope // set when authenticated by an API key
	// SessionID is the stored id (SHA-256) of the session; empty for keys.
	SessionID string

	csrfHash []byte
	system   bool
}

var systemPrincipal = &Principal{UserID: "system", Username: "system", DisplayName: "system", Admin: true, system: true}

func (p *Principal) isSystem() bool { return p != nil && p.system }

// Actor is how the audit log names p: the user id, "apikey:<id>" or "system".
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.system:
		return "system"
	case p.APIKey != nil:
		return "apikey:" + p.APIKey.ID
	}
	return p.UserID
}

// CheckCSRF verifies the CSRF token sent with a cookie-authenticated write
// against the one issued with p's session, in constant time.
func (p *Principal) CheckCSRF(token string) error {
	if p == nil || len(p.csrfHash) == 0 || token == "" {
		return ErrCSRF
	}
	h := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(h[:], p.csrfHash) != 1 {
		return ErrCSRF
	}
	return nil
}

// noUnit and noPath stand in for "$user.unit" and "$user.unitPath" when the
// user belongs to no unit. A null would match every record whose unit field
// is empty, and "" would be a prefix of every path, so both would widen a
// row scope; these values match no stored id or path and keep it closed.
const (
	noUnit = ""
	noPath = "//"
)

// Vars gives the row-scope variables for query.Options.Vars: "$user.id",
// "$user.unit" (first unit), "$user.unitPath" (its path, for $startsWith
// scopes over stored unit paths), and the lists "$user.units",
// "$user.unitSubtree" and "$user.positions" as []any for $in.
func (p *Principal) Vars() map[string]any {
	unit, path := noUnit, noPath
	if len(p.Units) > 0 {
		unit = p.Units[0]
	}
	if p.UnitPath != "" {
		path = p.UnitPath
	}
	return map[string]any{
		"$user.id":          p.UserID,
		"$user.unit":        unit,
		"$user.unitPath":    path,
		"$user.units":       anyList(p.Units),
		"$user.unitSubtree": anyList(p.UnitSubtree),
		"$user.positions":   anyList(p.Positions),
	}
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// principalFor builds the Principal of an enabled user from its document.
// The unit subtrees come from the org cache, so this costs one small read
// (the org version) when the tree has not changed.
func (s *Service) principalFor(ctx context.Context, u *userDoc) (*Principal, error) {
	p := &Principal{
		UserID:      u.ID,
		Username:    u.Username,
		DisplayName: u.DisplayName,
		Admin:       u.Admin,
		Memberships: append([]Membership(nil), u.Memberships...),
		Roles:       append([]RoleRef(nil), u.Roles...),
	}
	var units, positions []string
	for _, m := range u.Memberships {
		units = append(units, m.UnitID)
		positions = append(positions, m.Position)
	}
	p.Units, p.Positions = uniq(units), uniq(positions)
	if len(p.Units) == 0 {
		return p, nil
	}
	v, err := orgVersion(ctx, s.st)
	if err != nil {
		return nil, err
	}
	var subtree []string
	for i, id := range p.Units {
		path, ids, err := s.org.subtree(ctx, s.st, v, id)
		if isCode(err, ErrUnitNotFound) {
			continue // a deleted unit grants nothing
		}
		if err != nil {
			return nil, err
		}
		if i == 0 {
			p.UnitPath = path
		}
		subtree = append(subtree, ids...)
	}
	p.UnitSubtree = uniq(subtree)
	return p, nil
}

// uniq returns the distinct non-empty strings of ss in first-seen order.
func uniq(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// pathIDs splits a materialized path "/a/b/c/" into its ids, root first.
func pathIDs(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}
