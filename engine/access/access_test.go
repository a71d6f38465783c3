package access

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// roles is an in-test RoleSource: published role specs by key.
type roles map[string]string

func (r roles) Published(_ context.Context, app string, kind meta.Kind, key string) (meta.Definition, error) {
	spec, ok := r[key]
	if !ok || kind != meta.KindRole {
		return meta.Definition{}, errs.New(errs.NotFound, "meta.not_published", "no")
	}
	return meta.Definition{App: app, Kind: kind, Key: key, Version: 1, Spec: json.RawMessage(spec)}, nil
}

var testRoles = roles{
	"clerk": `{"permissions":[{"kind":"form","key":"members","actions":["read","update"],
		"scope":{"store":"$user.unit"},"fields":{"phone":"masked","points":"readonly","cost":"hidden"}}]}`,
	"region": `{"permissions":[{"kind":"form","key":"members","actions":["read"],
		"scope":{"store":{"$in":"$user.unitSubtree"}},"fields":{"phone":{"rule":"masked","mask":"2*2"},"cost":"hidden"}}]}`,
	"hq":       `{"permissions":[{"kind":"form","key":"*","actions":["read","export"]}]}`,
	"designer": `{"permissions":[{"kind":"app","key":"*","actions":["design"]}]}`,
}

var memberFields = query.NewFields(
	query.Field{Path: "store", Kind: query.KindString},
	query.Field{Path: "phone", Kind: query.KindString},
)

func user(roleKeys ...string) *auth.Principal {
	p := &auth.Principal{UserID: "u1", Units: []string{"s1"}, UnitSubtree: []string{"r1", "s1", "s2"}}
	for _, k := range roleKeys {
		p.Roles = append(p.Roles, auth.RoleRef{App: "crm", Role: k})
	}
	return p
}

var members = Target{App: "crm", Kind: meta.KindForm, Key: "members"}

func TestDecideRightsAndScopes(t *testing.T) {
	g := NewGuard(testRoles)
	ctx := context.Background()
	cases := []struct {
		name   string
		p      *auth.Principal
		t      Target
		right  Right
		err    error
		filter string // rendered scope; "" means all rows
	}{
		{"no principal", nil, members, Read, ErrUnauthenticated, ""},
		{"no roles", user(), members, Read, ErrForbidden, ""},
		{"clerk reads own store", user("clerk"), members, Read, nil, `or(eq(store,"s1"))`},
		{"clerk cannot export", user("clerk"), members, Export, ErrForbidden, ""},
		{"clerk cannot read other forms", user("clerk"), Target{App: "crm", Kind: meta.KindForm, Key: "coupons"}, Read, ErrForbidden, ""},
		{"role of another app grants nothing", &auth.Principal{Roles: []auth.RoleRef{{App: "other", Role: "hq"}}}, members, Read, ErrForbidden, ""},
		{"two roles OR their scopes", user("clerk", "region"), members, Read, nil, `or(eq(store,"s1"),in(store,["r1","s1","s2"]))`},
		{"a role without scope opens all rows", user("clerk", "hq"), members, Read, nil, ""},
		{"app-wide grant", user("designer"), members, Design, nil, ""},
		{"admin", &auth.Principal{Admin: true}, members, Delete, nil, ""},
		{"api key narrows admin", &auth.Principal{Admin: true, APIKey: &auth.KeyScope{Apps: []string{"pos"}}}, members, Read, ErrForbidden, ""},
		{"api key never designs", &auth.Principal{Admin: true, APIKey: &auth.KeyScope{Apps: []string{"crm"}}}, members, Design, ErrForbidden, ""},
		{"api key action scope", &auth.Principal{Admin: true, APIKey: &auth.KeyScope{Apps: []string{"crm"}, Actions: []string{"crm/checkout"}}},
			Target{App: "crm", Kind: meta.KindAction, Key: "refund"}, Run, ErrForbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := g.Decide(ctx, c.p, c.t, c.right)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f, err := d.Filter(memberFields)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(f); got != c.filter {
				t.Fatalf("scope %s, want %s", got, c.filter)
			}
		})
	}
}

func TestFieldRulesUnionAndMasks(t *testing.T) {
	g := NewGuard(testRoles)
	ctx := context.Background()
	d, err := g.Decide(ctx, user("clerk"), members, Read)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"phone": "13812341234", "points": 5, "cost": 7, "name": "张三"}
	d.Read(doc)
	if doc["phone"] != "138****1234" || doc["cost"] != nil || doc["points"] != 5 || doc["name"] != "张三" {
		t.Fatalf("read rules: %v", doc)
	}
	if d.Readable("phone") || d.Readable("cost") || !d.Readable("points") || !d.Readable("name") {
		t.Fatal("readable flags wrong")
	}
	if err := d.CheckWrite([]string{"name", "points", "phone"}); err == nil {
		t.Fatal("write to readonly/masked fields allowed")
	} else if e, _ := errs.As(err); len(e.Fields) != 2 || e.Class != errs.Forbidden {
		t.Fatalf("write error %v", err)
	}
	// Clerk + region: phone is masked by both (the least restrictive mask
	// among equals is the first seen), points is readonly only in clerk so
	// region's grant frees it, cost hidden by both stays hidden.
	d, _ = g.Decide(ctx, user("clerk", "region"), members, Read)
	doc = map[string]any{"phone": "13812341234", "points": 5, "cost": 7}
	d.Read(doc)
	if doc["cost"] != nil || doc["points"] != 5 || doc["phone"] == "13812341234" {
		t.Fatalf("union rules: %v", doc)
	}
	if got := d.Restricted(); len(got) != 2 {
		t.Fatalf("restricted %v", got)
	}
	// A role without field rules frees every field.
	d, _ = g.Decide(ctx, user("clerk", "hq"), members, Read)
	doc = map[string]any{"phone": "13812341234"}
	d.Read(doc)
	if doc["phone"] != "13812341234" {
		t.Fatalf("hq should see the phone: %v", doc)
	}
}

func TestMaskApply(t *testing.T) {
	for _, c := range []struct {
		m       Mask
		in, out string
	}{
		{DefaultMask, "13812341234", "138****1234"},
		{Mask{1, 1}, "张三丰", "张*丰"},
		{DefaultMask, "1234567", "*******"},
		{Mask{2, 2}, "", ""},
	} {
		if got := c.m.Apply(c.in); got != c.out {
			t.Errorf("%v.Apply(%q) = %q, want %q", c.m, c.in, got, c.out)
		}
	}
}

func TestInvalidScopeClosesAccess(t *testing.T) {
	g := NewGuard(roles{"bad": `{"permissions":[{"kind":"form","key":"members","actions":["read"],"scope":{"nosuchfield":"x"}}]}`})
	d, err := g.Decide(context.Background(), user("bad"), members, Read)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Filter(memberFields); errs.ClassOf(err) != errs.Internal {
		t.Fatalf("a scope that does not fit must fail closed, got %v", err)
	}
}

// render prints a filter compactly for assertions.
func render(n *query.Node) string {
	if n == nil {
		return ""
	}
	switch n.Op {
	case query.OpAnd, query.OpOr:
		s := string(n.Op) + "("
		for i, c := range n.Children {
			if i > 0 {
				s += ","
			}
			s += render(c)
		}
		return s + ")"
	case query.OpIn:
		vals := make([]any, len(n.Values))
		for i, v := range n.Values {
			vals[i] = v.Any()
		}
		b, _ := json.Marshal(vals)
		return "in(" + n.Field.Path + "," + string(b) + ")"
	}
	b, _ := json.Marshal(n.Value.Any())
	return string(n.Op) + "(" + n.Field.Path + "," + string(b) + ")"
}

// TestNarrowEntryWinsWithinOneRole: a role granting app-wide read and, for
// members, a store scope with masks keeps the scope and masks on members.
func TestNarrowEntryWinsWithinOneRole(t *testing.T) {
	g := NewGuard(roles{"mixed": `{"permissions":[
		{"kind":"app","key":"crm","actions":["read"]},
		{"kind":"form","key":"members","actions":["read"],"scope":{"store":"$user.unit"},"fields":{"phone":"masked"}}]}`})
	ctx := context.Background()
	d, err := g.Decide(ctx, user("mixed"), members, Read)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := d.Filter(memberFields)
	if got := render(f); got != `or(eq(store,"s1"))` {
		t.Fatalf("members scope %s, want the narrow entry's", got)
	}
	doc := map[string]any{"phone": "13812341234"}
	d.Read(doc)
	if doc["phone"] != "138****1234" {
		t.Fatalf("phone not masked: %v", doc)
	}
	// Other forms fall back to the app-wide entry: all rows.
	d, err = g.Decide(ctx, user("mixed"), Target{App: "crm", Kind: meta.KindForm, Key: "orders"}, Read)
	if err != nil || !d.All {
		t.Fatalf("orders: %v %+v", err, d)
	}
}
