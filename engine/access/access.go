// Package access is Tangram's one permission enforcement point. Every engine
// path that reads or writes app data or definitions — records list/get/
// count/search/export/import, report aggregation, scripts run on a user's
// behalf, workflow transitions, actions, metadata design — asks a Guard for
// a Decision and applies it: the row scope is ANDed into the query AST
// before it reaches the store (so no user filter can widen it), and field
// rules hide, mask or freeze fields on every read and write.
//
// Rights come from roles (meta kind "role") assigned to users per app. A
// user with several roles gets the union of rights, the OR of row scopes and,
// per field, the least restrictive rule among the roles that grant the
// right. Platform admins have every right, but an API key narrows even an
// admin to the key's apps and actions.
package access

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// Right is one thing a role can allow on a definition.
type Right string

// Rights named by roles.
const (
	Read       Right = "read"
	Create     Right = "create"
	Update     Right = "update"
	Delete     Right = "delete"
	Export     Right = "export"
	Import     Right = "import"
	Transition Right = "transition"
	Run        Right = "run"
	Design     Right = "design"
)

// ErrForbidden is the answer to a missing right. Rows outside the scope are
// reported as not found by the engines, never as forbidden, so a refusal
// does not reveal that a record exists.
var ErrForbidden = errs.New(errs.Forbidden, "access.forbidden", "you do not have the right to do this")

// ErrUnauthenticated is returned when no principal is attached.
var ErrUnauthenticated = errs.New(errs.Unauthorized, "auth.unauthenticated", "sign in first")

// RoleSource loads published role definitions; *meta.Service is one.
type RoleSource interface {
	Published(ctx context.Context, app string, kind meta.Kind, key string) (meta.Definition, error)
}

// Guard decides what a principal may do.
type Guard struct {
	roles RoleSource
	cache sync.Map // "app/role@version" -> *roleSpec
}

// NewGuard makes a Guard reading roles from src.
func NewGuard(src RoleSource) *Guard { return &Guard{roles: src} }

// Target names what is being accessed: a definition of an app.
type Target struct {
	App  string
	Kind meta.Kind
	Key  string
}

// Check returns nil when p holds right on t, else ErrForbidden (or
// ErrUnauthenticated without a principal).
func (g *Guard) Check(ctx context.Context, p *auth.Principal, t Target, right Right) error {
	_, err := g.Decide(ctx, p, t, right)
	return err
}

// Decide returns what p may see and change when exercising right on t.
func (g *Guard) Decide(ctx context.Context, p *auth.Principal, t Target, right Right) (*Decision, error) {
	if p == nil {
		return nil, ErrUnauthenticated
	}
	if !keyAllows(p, t, right) {
		return nil, ErrForbidden
	}
	if p.Admin {
		return &Decision{All: true, vars: p.Vars()}, nil
	}
	d := &Decision{vars: p.Vars()}
	granted := false
	for _, ref := range p.Roles {
		if ref.App != t.App {
			continue
		}
		rs, err := g.role(ctx, t.App, ref.Role)
		if err != nil {
			if errs.ClassOf(err) == errs.NotFound {
				continue // an assigned role that is not (yet) published grants nothing
			}
			return nil, err
		}
		for _, gr := range rs.grantsFor(t, right) {
			granted = true
			d.add(gr)
		}
	}
	if !granted {
		return nil, ErrForbidden
	}
	return d, nil
}

// keyAllows applies an API key's scope: its apps, and for running actions
// its action list. Keys never design.
func keyAllows(p *auth.Principal, t Target, right Right) bool {
	k := p.APIKey
	if k == nil {
		return true
	}
	if right == Design || !k.AllowsApp(t.App) {
		return false
	}
	if right == Run && t.Kind == meta.KindAction {
		return k.AllowsAction(t.App, t.Key)
	}
	return true
}

// roleSpec is the parsed body of a role definition.
type roleSpec struct {
	Permissions []grant `json:"permissions"`
}

// grant is one permission entry of a role.
type grant struct {
	Kind    meta.Kind                  `json:"kind"`
	Key     string                     `json:"key"`
	Actions []Right                    `json:"actions"`
	Scope   json.RawMessage            `json:"scope"`
	Fields  map[string]json.RawMessage `json:"fields"`
}

// grantsFor lists the entries of the role that give right on t. Within one
// role the most specific entries win: entries for the definition itself,
// else entries for every definition of its kind ("*"), else app-wide
// entries (kind "app"). So a role that grants "read everything" and, for
// members, "read my store's rows with phones masked" means exactly that for
// members, instead of the broad entry silently erasing the narrow one.
// (Across several roles the union applies: see Decide.)
func (r *roleSpec) grantsFor(t Target, right Right) []grant {
	var byLevel [3][]grant // 0: this key, 1: "*" of its kind, 2: app-wide
	for _, gr := range r.Permissions {
		level := -1
		switch {
		case gr.Kind == t.Kind && gr.Key == t.Key:
			level = 0
		case gr.Kind == t.Kind && gr.Key == "*":
			level = 1
		case gr.Kind == meta.KindApp && (gr.Key == "*" || gr.Key == t.App):
			level = 2
		}
		if level < 0 {
			continue
		}
		for _, a := range gr.Actions {
			if a == right {
				byLevel[level] = append(byLevel[level], gr)
				break
			}
		}
	}
	for _, gs := range byLevel {
		if len(gs) > 0 {
			return gs
		}
	}
	return nil
}

func (g *Guard) role(ctx context.Context, app, key string) (*roleSpec, error) {
	def, err := g.roles.Published(ctx, app, meta.KindRole, key)
	if err != nil {
		return nil, err
	}
	ck := app + "/" + key + "@" + itoa(def.Version)
	if v, ok := g.cache.Load(ck); ok {
		return v.(*roleSpec), nil
	}
	var rs roleSpec
	if err := json.Unmarshal(def.Spec, &rs); err != nil {
		return nil, errs.Wrap(err, errs.Internal, "access.role_invalid", "role %s cannot be read", key)
	}
	g.cache.Store(ck, &rs)
	return &rs, nil
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
