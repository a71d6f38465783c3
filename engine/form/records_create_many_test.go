package form

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// members returns n member inputs with distinct phones.
func memberInputs(n, from int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"name": fmt.Sprintf("批量%d", from+i), "phone": fmt.Sprintf("137%08d", from+i), "storeId": "s1"}
	}
	return out
}

func (e *env) countIn(coll string, filter *query.Node) int64 {
	e.t.Helper()
	n, err := e.st.Count(e.ctx, coll, filter)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestCreateMany: records come back in order with formulas, numbers and
// defaults; each has its first revision; one audit entry lists the ids;
// the parent's rollups count the batch.
func TestCreateMany(t *testing.T) {
	e := newEnv(t).crm()
	docs, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "members", memberInputs(3, 0), WriteOptions{Lang: "en"})
	if err != nil || len(docs) != 3 {
		t.Fatalf("CreateMany: %v %v", docs, err)
	}
	var ids []any
	for i, d := range docs {
		if d["name"] != fmt.Sprintf("批量%d", i) || d["tier"] != "normal" || d["cardNo"] == nil || str(d[SysVersion]) != "1" {
			t.Fatalf("record %d: %v", i, d)
		}
		if i > 0 && str(d["cardNo"]) <= str(docs[i-1]["cardNo"]) {
			t.Fatalf("numbers not in input order: %v then %v", docs[i-1]["cardNo"], d["cardNo"])
		}
		got, err := e.rec.Get(e.ctx, e.admin, "crm", "members", d[SysID].(string))
		if err != nil || got["phone"] != d["phone"] {
			t.Fatalf("get %d: %v %v", i, got, err)
		}
		hist, err := e.rec.History(e.ctx, e.admin, "crm", "members", d[SysID].(string))
		if err != nil || len(hist) != 1 || hist[0].Op != OpCreate || hist[0].By != "admin" {
			t.Fatalf("history %d: %+v %v", i, hist, err)
		}
		ids = append(ids, d[SysID])
	}
	entries, err := e.st.Find(e.ctx, auth.CollAudit, store.Query{Filter: query.Eq(query.Field{Path: "action", Kind: query.KindString}, query.Str("record.create_many"))})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	det := entries[0]["details"].(map[string]any)
	if fmt.Sprint(det["ids"]) != fmt.Sprint(ids) || str(det["count"]) != "3" || entries[0]["target"] != "form:members" {
		t.Fatalf("audit entry %v", entries[0])
	}
	// Orders of the batch update their members' rollups once per member.
	orders := []map[string]any{
		{"member": ids[0], "price": "2.50", "qty": 2}, {"member": ids[0], "price": "1", "qty": 1}, {"member": ids[1], "price": "3", "qty": 1},
	}
	if _, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "orders", orders, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	m0, _ := e.rec.Get(e.ctx, e.admin, "crm", "members", ids[0].(string))
	m1, _ := e.rec.Get(e.ctx, e.admin, "crm", "members", ids[1].(string))
	if str(m0["orderCount"]) != "2" || str(m0["spent"]) != "600" || str(m1["orderCount"]) != "1" {
		t.Fatalf("rollups: %v / %v", m0, m1)
	}
	// An empty batch is no write.
	if docs, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "members", nil, WriteOptions{}); err != nil || len(docs) != 0 {
		t.Fatalf("empty: %v %v", docs, err)
	}
}

// TestCreateManyAllOrNothing: one bad input and nothing is written (no
// record, revision, claim, audit entry or number), and every input's
// every problem comes back, each path prefixed with its index.
func TestCreateManyAllOrNothing(t *testing.T) {
	e := newEnv(t).crm()
	e.create(e.admin, "members", map[string]any{"name": "先到", "phone": "13700000004"})
	in := memberInputs(6, 0)
	in[1]["phone"] = "123"                    // invalid phone
	in[2]["name"] = nil                       // required
	in[3]["phone"] = in[0]["phone"]           // repeated within the batch
	in[5]["tier"], in[5]["bogus"] = "gold", 1 // note required when gold; unknown field
	_, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "members", in, WriteOptions{Lang: "en"})
	wantCode(t, err, "record.validation")
	got := strings.Join(fieldErrors(err), "; ")
	want := "[1].phone field.phone; [2].name record.required; [3].phone record.unique; [4].phone record.unique; [5].bogus record.unknown_field; [5].note record.required"
	if got != want {
		t.Fatalf("errors\n got %s\nwant %s", got, want)
	}
	for coll, n := range map[string]int64{RecordsCollection("crm", "members"): 1, HistoryCollection("crm", "members"): 1, collUnique: 1} {
		if c := e.countIn(coll, nil); c != n {
			t.Errorf("%s: %d documents after a failed batch, want %d", coll, c, n)
		}
	}
	if n := e.countIn(auth.CollAudit, query.Eq(query.Field{Path: "action", Kind: query.KindString}, query.Str("record.create_many"))); n != 0 {
		t.Errorf("%d audit entries for a failed batch", n)
	}
	// The failed batch took no number: the next record gets the second.
	m := e.create(e.admin, "members", map[string]any{"name": "后到"})
	if !strings.HasSuffix(str(m["cardNo"]), "000002") {
		t.Fatalf("a failed batch used numbers: %v", m["cardNo"])
	}
	// A dry run checks and returns, and writes nothing.
	docs, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "members", memberInputs(2, 10), WriteOptions{DryRun: true})
	if err != nil || len(docs) != 2 || docs[1]["cardNo"] == nil {
		t.Fatalf("dry run: %v %v", docs, err)
	}
	if c := e.countIn(RecordsCollection("crm", "members"), nil); c != 2 {
		t.Fatalf("a dry run wrote: %d records", c)
	}
}

// TestCreateManyRightsAndBounds: the create right, field rules and the
// row scope apply to every input; batches are bounded; idempotency keys
// are refused rather than ignored.
func TestCreateManyRightsAndBounds(t *testing.T) {
	e, _ := scoped(t)
	clerk := user("c1", []string{"s1"}, "clerk")
	noPhone := func(in []map[string]any) []map[string]any {
		for _, m := range in {
			delete(m, "phone") // masked for clerks: not theirs to write
		}
		return in
	}
	in := noPhone(memberInputs(3, 0))
	in[1]["storeId"] = "s2" // outside the clerk's rows
	in[2]["points"] = 5     // read-only for clerks
	_, err := e.rec.CreateMany(e.ctx, clerk, "crm", "members", in, WriteOptions{})
	if got := strings.Join(fieldErrors(err), "; "); got != "[1] record.out_of_scope; [2].points access.field_readonly" {
		t.Fatalf("errors: %s (%v)", got, err)
	}
	docs, err := e.rec.CreateMany(e.ctx, clerk, "crm", "members", noPhone(memberInputs(2, 5)), WriteOptions{})
	if err != nil || len(docs) != 2 || docs[1]["name"] != "批量6" {
		t.Fatalf("clerk batch: %v %v", docs, err)
	}
	_, err = e.rec.CreateMany(e.ctx, clerk, "crm", "members", memberInputs(1, 7), WriteOptions{})
	if got := strings.Join(fieldErrors(err), "; "); got != "[0].phone access.field_readonly" {
		t.Fatalf("masked field written: %s", got)
	}
	_, err = e.rec.CreateMany(e.ctx, user("nobody", nil), "crm", "members", memberInputs(1, 9), WriteOptions{})
	if errs.ClassOf(err) != errs.Forbidden {
		t.Fatalf("no right: %v", err)
	}
	_, err = e.rec.CreateMany(e.ctx, e.admin, "crm", "members", make([]map[string]any, MaxCreateMany+1), WriteOptions{})
	wantCode(t, err, "record.bulk_too_large")
	_, err = e.rec.CreateMany(e.ctx, e.admin, "crm", "members", memberInputs(1, 9), WriteOptions{IdempotencyKey: "k"})
	wantCode(t, err, "record.idempotency_many")
}

// racingStore inserts a claim of value phone for another record just
// before the batch inserts its own claims, as a concurrent writer
// between the batch's check and its claim would.
type racingStore struct {
	store.Store
	f     *Form
	phone string
	done  bool
}

func (s *racingStore) Tx(ctx context.Context, fn func(tx store.Ops) error) error {
	return s.Store.Tx(ctx, func(tx store.Ops) error { return fn(&racingOps{Ops: tx, s: s}) })
}

type racingOps struct {
	store.Ops
	s *racingStore
}

func (o *racingOps) InsertMany(ctx context.Context, coll string, docs []store.Doc) ([]string, error) {
	if coll == collUnique && !o.s.done {
		o.s.done = true
		if _, err := o.Ops.Insert(ctx, collUnique, store.Doc{"_id": claimID(o.s.f, "phone", o.s.phone), "record": "other"}); err != nil {
			return nil, err
		}
	}
	return o.Ops.InsertMany(ctx, coll, docs)
}

// TestCreateManyLosesARace: a unique value taken between check and claim
// is that input's record.unique; all or nothing writes none, and the
// partial batch (the importer's) writes the others in a new transaction.
func TestCreateManyLosesARace(t *testing.T) {
	for _, partial := range []bool{false, true} {
		t.Run(fmt.Sprint("partial=", partial), func(t *testing.T) {
			e := newEnv(t).crm()
			f, d, err := e.rec.open(e.ctx, e.admin, "crm", "members", "create")
			if err != nil {
				t.Fatal(err)
			}
			in := memberInputs(4, 0)
			rs := &racingStore{Store: e.st, f: f, phone: in[2]["phone"].(string)}
			r := *e.rec
			r.st = rs
			res, err := r.createMany(e.ctx, e.admin, f, d, in, nil, WriteOptions{Lang: "en"}, partial)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.errs[2]) != 1 || res.errs[2][0].Code != "record.unique" || res.written[2] || res.written[0] != partial {
				t.Fatalf("rows: %v %v", res.errs, res.written)
			}
			want := int64(0)
			if partial {
				want = 3
			}
			if n := e.countIn(RecordsCollection("crm", "members"), nil); n != want {
				t.Fatalf("%d stored, want %d", n, want)
			}
		})
	}
}

// TestCreateManyRelations: relation ids are checked for the whole batch
// with the caller's read scope, each bad id reported at its input.
func TestCreateManyRelations(t *testing.T) {
	e := newEnv(t).crm()
	e.publish(meta.KindRole, "clerk", clerkRole)
	s1 := e.create(e.admin, "members", map[string]any{"name": "a", "storeId": "s1"})[SysID]
	s2 := e.create(e.admin, "members", map[string]any{"name": "b", "storeId": "s2"})[SysID]
	clerk := user("c1", []string{"s1"}, "clerk")
	in := []map[string]any{
		{"member": s1, "storeId": "s1"}, {"member": "nope", "storeId": "s1"}, {"member": s2, "storeId": "s1"},
	}
	_, err := e.rec.CreateMany(e.ctx, clerk, "crm", "orders", in, WriteOptions{})
	if got := strings.Join(fieldErrors(err), "; "); got != "[1].member record.relation_not_found; [2].member record.relation_not_found" {
		t.Fatalf("errors: %s", got)
	}
}

// TestCreateManyConcurrent: batches sharing a unique value race for real;
// one writes, the other is a 422 naming the shared input, and the store
// holds each value once.
func TestCreateManyConcurrent(t *testing.T) {
	e := newEnv(t).crm()
	a, b := memberInputs(50, 0), memberInputs(50, 100)
	b[17]["phone"] = a[33]["phone"]
	errc := make(chan error, 2)
	for _, in := range [][]map[string]any{a, b} {
		go func() {
			_, err := e.rec.CreateMany(e.ctx, e.admin, "crm", "members", in, WriteOptions{Lang: "en"})
			errc <- err
		}()
	}
	var failed []error
	for range 2 {
		if err := <-errc; err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("want exactly one batch refused, got %v", failed)
	}
	got := strings.Join(fieldErrors(failed[0]), "; ")
	if got != "[17].phone record.unique" && got != "[33].phone record.unique" {
		t.Fatalf("refusal: %s", got)
	}
	if n := e.countIn(RecordsCollection("crm", "members"), nil); n != 50 {
		t.Fatalf("%d records stored, want one batch of 50", n)
	}
}
