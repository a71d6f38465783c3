package form

import (
	"encoding/json"
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// TestRoleScopesCheckedAgainstForms: a role whose scope or field rules do
// not fit the form is refused on save with the path of each mistake, and a
// fitting one is accepted.
func TestRoleScopesCheckedAgainstForms(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "members", `{"title":"会员","fields":[
		{"key":"name","type":"text","label":"姓名"},
		{"key":"storeId","type":"orgunit","label":"门店"},
		{"key":"phone","type":"phone","label":"手机"}]}`)
	cases := []struct {
		name  string
		perms string
		paths []string
	}{
		{"fits", `[{"kind":"form","key":"members","actions":["read"],"scope":{"storeId":{"$in":"$user.unitSubtree"}},"fields":{"phone":"masked"}}]`, nil},
		{"unknown scope field", `[{"kind":"form","key":"members","actions":["read"],"scope":{"store":"$user.unit"}}]`,
			[]string{"spec.permissions[0].scope.store query.unknown_field"}},
		{"bad operator", `[{"kind":"form","key":"members","actions":["read"],"scope":{"storeId":{"$where":"1"}}}]`,
			[]string{"spec.permissions[0].scope.storeId.$where query.unknown_operator"}},
		{"unknown variable", `[{"kind":"form","key":"members","actions":["read"],"scope":{"storeId":"$user.shop"}}]`,
			[]string{"spec.permissions[0].scope.storeId query.unknown_variable"}},
		{"unknown field rule", `[{"kind":"form","key":"members","actions":["read"],"fields":{"mobile":"masked"}}]`,
			[]string{"spec.permissions[0].fields.mobile role.unknown_field"}},
		{"unknown form", `[{"kind":"form","key":"coupons","actions":["read"],"scope":{"storeId":"$user.unit"}}]`,
			[]string{"spec.permissions[0].key role.unknown_form"}},
		{"wildcard checked on every form", `[{"kind":"form","key":"*","actions":["read"],"scope":{"shop":"$user.unit"}}]`,
			[]string{"spec.permissions[0].scope.shop query.unknown_field"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := json.RawMessage(`{"title":"r","permissions":` + c.perms + `}`)
			_, err := e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindRole, App: "crm", Key: "r" + string(rune('a'+i)), Spec: spec}, "admin")
			if c.paths == nil {
				if err != nil {
					t.Fatalf("fitting role refused: %v", err)
				}
				return
			}
			wantCode(t, err, "meta.invalid")
			got := fieldErrors(err)
			if len(got) != len(c.paths) {
				t.Fatalf("errors %v, want %v", got, c.paths)
			}
			for j := range got {
				if got[j] != c.paths[j] {
					t.Fatalf("errors %v, want %v", got, c.paths)
				}
			}
		})
	}
}
