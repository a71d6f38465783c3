package rules

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
)

func metaService(t *testing.T) *meta.Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "t.db")), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	m := meta.NewService(st)
	if err := m.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create(ctx, meta.Definition{Kind: meta.KindApp, App: "crm", Key: "crm", Spec: json.RawMessage(`{"title":"CRM"}`)}, "alice"); err != nil {
		t.Fatal(err)
	}
	return m
}

func goldRate(rate string) json.RawMessage {
	return json.RawMessage(`{"title":"积分倍率","hitPolicy":"first","inputs":[{"key":"tier","type":"string","required":true}],
		"outputs":[{"key":"multiplier","type":"decimal","default":"1"}],
		"rows":[{"when":{"tier":"金卡"},"then":{"multiplier":"` + rate + `"}}]}`)
}

func multiplier(t *testing.T, r Result, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return r.Outputs["multiplier"].(decimal.Decimal).String()
}

// TestService: other engines evaluate the published revision; drafts are
// previewed by version; compiled tables are reused per revision.
func TestService(t *testing.T) {
	ctx := context.Background()
	m := metaService(t)
	s := New(m)
	gold := map[string]any{"tier": "金卡"}

	if _, err := m.Create(ctx, meta.Definition{Kind: meta.KindRule, App: "crm", Key: "points", Spec: goldRate("1.2")}, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Evaluate(ctx, "crm", "points", gold, time.Time{}); !errs.HasCode(err, meta.ErrNotPublished.Code) {
		t.Fatalf("unpublished: %v", err)
	}
	if _, err := s.Evaluate(ctx, "crm", "nope", gold, time.Time{}); errs.ClassOf(err) != errs.NotFound {
		t.Fatalf("missing: %v", err)
	}
	if _, err := m.Publish(ctx, "crm", meta.KindRule, "points", 1, 0, "alice"); err != nil {
		t.Fatal(err)
	}
	res, err := s.Evaluate(ctx, "crm", "points", gold, time.Time{})
	if got := multiplier(t, res, err); got != "1.2" || res.Version != 1 {
		t.Fatalf("published: %s v%d", got, res.Version)
	}
	t1, _ := s.Published(ctx, "crm", "points")
	if t2, _ := s.Published(ctx, "crm", "points"); t1 != t2 {
		t.Fatal("the published table is compiled again on every call")
	}

	if _, err := m.Save(ctx, meta.Definition{Kind: meta.KindRule, App: "crm", Key: "points", Spec: goldRate("1.3")}, 1, "alice"); err != nil {
		t.Fatal(err)
	}
	draft, d, err := s.Version(ctx, "crm", "points", 2)
	if err != nil || d.Status != meta.StatusDraft {
		t.Fatalf("draft: %v %v", d.Status, err)
	}
	res, err = draft.Evaluate(gold, time.Time{}, Options{})
	if got := multiplier(t, res, err); got != "1.3" || res.Version != 2 {
		t.Fatalf("draft preview: %s v%d", got, res.Version)
	}
	res, err = s.Evaluate(ctx, "crm", "points", gold, time.Time{})
	if got := multiplier(t, res, err); got != "1.2" {
		t.Fatalf("a draft changed the published answer: %s", got)
	}
	if _, err := m.Publish(ctx, "crm", meta.KindRule, "points", 2, 0, "alice"); err != nil {
		t.Fatal(err)
	}
	res, err = s.Evaluate(ctx, "crm", "points", gold, time.Time{})
	if got := multiplier(t, res, err); got != "1.3" {
		t.Fatalf("after publish: %s", got)
	}

	// A save with an unreachable row is refused with its path.
	_, err = m.Save(ctx, meta.Definition{Kind: meta.KindRule, App: "crm", Key: "points", Spec: json.RawMessage(`{"title":"T","hitPolicy":"first",
		"inputs":[{"key":"tier","type":"string"}],"outputs":[{"key":"multiplier","type":"decimal","default":"1"}],
		"rows":[{"when":{},"then":{"multiplier":"1"}},{"when":{"tier":"金卡"},"then":{"multiplier":"2"}}]}`)}, 2, "alice")
	sameLines(t, "save", fields(t, err), []string{"spec.rows[1] rule.unreachable"})
}

func TestEvaluateSpec(t *testing.T) {
	s := New(nil)
	res, err := s.EvaluateSpec(goldRate("1.5"), map[string]any{"tier": "银卡"}, time.Time{})
	if got := multiplier(t, res, err); got != "1" || res.Matched || len(res.Trace) != 1 || res.Trace[0].FailedColumn != "tier" {
		t.Fatalf("preview: %s %+v", got, res)
	}
	_, err = s.EvaluateSpec(json.RawMessage(`{"title":"T","hitPolicy":"first","inputs":[{"key":"tier","type":"int"}],
		"outputs":[{"key":"m","type":"int"}],"rows":[{"when":{"tier":"金卡"},"then":{"m":1}}]}`), nil, time.Time{})
	if e, ok := errs.As(err); !ok || e.Code != "meta.invalid" || !strings.Contains(err.Error(), "spec.rows[0].when.tier") {
		t.Fatalf("invalid spec: %v", err)
	}
}
