package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/templates/demo"
)

// TestTenMembers generates the smallest useful app: every store has its
// org unit under a region under HQ, and the counts returned are what the
// store holds.
func TestTenMembers(t *testing.T) {
	d := newDeps(t)
	var stages []string
	res, err := demo.Generate(context.Background(), d, testApp, demo.Options{Members: 10, Seed: 1, Now: fixedNow,
		Progress: func(stage string, done, total int) {
			if done == total {
				stages = append(stages, fmt.Sprintf("%s %d", stage, total))
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Members != 10 || res.Stores != 8 || res.Transactions < 10 || res.Coupons < 1 {
		t.Fatalf("result %+v", res)
	}
	if got := count(t, d, "members"); got != 10 {
		t.Fatalf("%d members stored", got)
	}
	if got := count(t, d, "transactions"); got != res.Transactions {
		t.Fatalf("%d transactions stored, result says %d", got, res.Transactions)
	}
	if got := count(t, d, "coupons"); got != res.Coupons {
		t.Fatalf("%d coupons stored, result says %d", got, res.Coupons)
	}
	if strings.Join(stages, ",") != "stores 8,members 10" {
		t.Fatalf("progress %v", stages)
	}
	// The org tree: HQ → 5 regions → stores, each store record on its unit.
	ctx := context.Background()
	roots, err := d.Auth.ListUnits(ctx, "")
	if err != nil || len(roots) != 1 || roots[0].Code != "crm-hq" {
		t.Fatalf("roots %v %v", roots, err)
	}
	regionsOf, err := d.Auth.ListUnits(ctx, roots[0].ID)
	if err != nil || len(regionsOf) != 5 {
		t.Fatalf("regions %v %v", regionsOf, err)
	}
	all(t, d, "stores", func(s store.Doc) {
		u, err := d.Auth.GetUnit(ctx, s["orgUnit"].(string))
		if err != nil || u.Kind != "store" || u.Code != "crm-"+s["code"].(string) || !strings.HasPrefix(u.Path, roots[0].Path) {
			t.Fatalf("store %v unit %+v %v", s["code"], u, err)
		}
	})
	// A second run refuses an app that has data.
	if _, err := demo.Generate(ctx, d, testApp, demo.Options{Members: 10, Seed: 1, Now: fixedNow}); err == nil || !strings.Contains(err.Error(), "already has stores") {
		t.Fatalf("second run: %v", err)
	}
}

// TestBadOptions refuses sizes out of range and apps without the forms.
func TestBadOptions(t *testing.T) {
	d := newDeps(t)
	ctx := context.Background()
	for _, n := range []int{0, -1, demo.MaxMembers + 1} {
		if _, err := demo.Generate(ctx, d, testApp, demo.Options{Members: n}); err == nil {
			t.Fatalf("members %d accepted", n)
		}
	}
	if _, err := demo.Generate(ctx, d, "other", demo.Options{Members: 5}); err == nil || !strings.Contains(err.Error(), "published form") {
		t.Fatalf("app without forms: %v", err)
	}
	if _, err := demo.Generate(ctx, demo.Deps{}, testApp, demo.Options{Members: 5}); err == nil {
		t.Fatal("missing deps accepted")
	}
	if got := count(t, d, "members"); got != 0 {
		t.Fatalf("%d members written by refused runs", got)
	}
}

// TestDeterministic generates twice from one seed into two stores and
// finds the same data (ids aside), and different data from another seed.
func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	gen := func(seed int64) (demo.Result, map[string]string, map[string]string) {
		d := newDeps(t)
		res, err := demo.Generate(ctx, d, testApp, demo.Options{Members: 700, Seed: seed, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		res.Elapsed = 0
		return res, snapshot(t, d, "members", "phone", "homeStore", "homeUnit", "referrer"), snapshot(t, d, "transactions", "receiptId", "store", "storeUnit", "member")
	}
	r1, m1, t1 := gen(42)
	r2, m2, t2 := gen(42)
	if r1 != r2 {
		t.Fatalf("results differ: %+v vs %+v", r1, r2)
	}
	if len(m1) != 700 || len(t1) != r1.Transactions {
		t.Fatalf("snapshot sizes %d %d", len(m1), len(t1))
	}
	for k, v := range m1 {
		if m2[k] != v {
			t.Fatalf("member %s differs:\n%s\n%s", k, v, m2[k])
		}
	}
	for k, v := range t1 {
		if t2[k] != v {
			t.Fatalf("transaction %s differs:\n%s\n%s", k, v, t2[k])
		}
	}
	_, m3, _ := gen(43)
	same := 0
	for k, v := range m1 {
		if m3[k] == v {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("seed 43 repeats %d members of seed 42", same)
	}
}

// snapshot renders every record of a form without its ids and system
// fields, by key field; relation and org unit fields are rendered as the
// related record's key (store code, member phone).
func snapshot(t *testing.T, d demo.Deps, formKey, key string, relations ...string) map[string]string {
	t.Helper()
	storeCode := map[string]string{}
	all(t, d, "stores", func(s store.Doc) {
		storeCode[s[form.SysID].(string)] = s["code"].(string)
		storeCode[s["orgUnit"].(string)] = "unit:" + s["code"].(string)
	})
	phone := map[string]string{}
	all(t, d, "members", func(m store.Doc) { phone[m[form.SysID].(string)] = m["phone"].(string) })
	out := map[string]string{}
	all(t, d, formKey, func(doc store.Doc) {
		c := map[string]any{}
		for k, v := range doc {
			if !strings.HasPrefix(k, "_") {
				c[k] = v
			}
		}
		for _, r := range relations {
			if id, ok := c[r].(string); ok {
				c[r] = storeCode[id] + phone[id]
			}
		}
		b, _ := json.Marshal(c)
		out[doc[key].(string)] = string(b)
	})
	return out
}

func count(t testing.TB, d demo.Deps, formKey string) int {
	t.Helper()
	f, err := d.Records.Form(context.Background(), testApp, formKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Store.Count(context.Background(), f.Coll, query.Eq(query.Field{Path: form.SysDeleted, Kind: query.KindBool}, query.Bool(false)))
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// num reads a stored integer (fen, points, counts).
func num(t testing.TB, v any) int64 {
	t.Helper()
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			t.Fatalf("not an integer: %v", x)
		}
		return n
	case nil:
		return 0
	}
	t.Fatalf("not a number: %T %v", v, v)
	return 0
}

func timeOf(t testing.TB, v any) time.Time {
	t.Helper()
	tm, err := time.Parse(query.TimeLayout, v.(string))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
