package form

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

// TestAutoNumberUnderConcurrency: 200 concurrent creates get 200 distinct,
// gapless numbers.
func TestAutoNumberUnderConcurrency(t *testing.T) {
	e := newEnv(t).crm()
	const n = 200
	var wg sync.WaitGroup
	nums := make([]string, n)
	errsOut := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{"name": fmt.Sprintf("m%d", i)}, WriteOptions{})
			if err == nil {
				nums[i], _ = doc["cardNo"].(string)
			}
			errsOut[i] = err
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, num := range nums {
		if errsOut[i] != nil {
			t.Fatalf("create %d: %v", i, errsOut[i])
		}
		if num == "" || seen[num] {
			t.Fatalf("number %q repeated or empty", num)
		}
		seen[num] = true
	}
	// Gapless: the highest number is n.
	last := fmt.Sprintf("%06d", n)
	found := false
	for num := range seen {
		if len(num) >= 6 && num[len(num)-6:] == last {
			found = true
		}
	}
	if !found {
		t.Fatalf("no number ends in %s: %v", last, seen)
	}
}

// TestIdempotentCreate: the same key and body returns the first record,
// even when ten attempts race; another body with the key is a conflict.
func TestIdempotentCreate(t *testing.T) {
	e := newEnv(t).crm()
	body := map[string]any{"name": "张三", "phone": "13812340000"}
	o := WriteOptions{IdempotencyKey: "pos-42/receipt-7"}
	var wg sync.WaitGroup
	ids := make([]string, 10)
	fails := make([]error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := e.rec.Create(e.ctx, e.admin, "crm", "members", body, o)
			fails[i] = err
			if err == nil {
				ids[i] = doc[SysID].(string)
			}
		}()
	}
	wg.Wait()
	for i := range ids {
		if fails[i] != nil || ids[i] != ids[0] {
			t.Fatalf("attempt %d: id %q (first %q), err %v", i, ids[i], ids[0], fails[i])
		}
	}
	n, err := e.st.Count(e.ctx, RecordsCollection("crm", "members"), nil)
	if err != nil || n != 1 {
		t.Fatalf("%d records (%v), want 1", n, err)
	}
	// Later retries get the first response, not the current record.
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", ids[0], map[string]any{"name": "改名"}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	again, err := e.rec.Create(e.ctx, e.admin, "crm", "members", body, o)
	if err != nil || again[SysID] != ids[0] || again["name"] != "张三" {
		t.Fatalf("replay: %v %v", again, err)
	}
	_, err = e.rec.Create(e.ctx, e.admin, "crm", "members", map[string]any{"name": "李四"}, o)
	wantCode(t, err, "record.idempotency_mismatch")
	if errs.ClassOf(err) != errs.Conflict {
		t.Fatalf("class %v", errs.ClassOf(err))
	}
	// Keys are per principal: another user's same key is a new request.
	other := user("u2", nil)
	other.Admin = true
	doc, err := e.rec.Create(e.ctx, other, "crm", "members", map[string]any{"name": "王五"}, o)
	if err != nil || doc[SysID] == ids[0] {
		t.Fatalf("other principal: %v %v", doc, err)
	}
	_, err = e.rec.Create(e.ctx, e.admin, "crm", "members", body, WriteOptions{IdempotencyKey: "bad key with spaces"})
	wantCode(t, err, "record.idempotency_key")
}

// TestConcurrentPatchesLoseNothing: concurrent patches without If-Match
// all land (each on the version it read); with the same If-Match exactly
// one wins and the rest get 412.
func TestConcurrentPatchesLoseNothing(t *testing.T) {
	e := newEnv(t).crm()
	m := e.create(e.admin, "members", map[string]any{"name": "a", "points": 0})
	id := m[SysID].(string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, stale := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", id, map[string]any{"points": i + 1}, 1, WriteOptions{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errs.HasCode(err, "record.stale"):
				stale++
			default:
				t.Errorf("patch: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || stale != 19 {
		t.Fatalf("with If-Match: %d succeeded, %d stale; want 1 and 19", ok, stale)
	}
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "members", id, map[string]any{"note": fmt.Sprint("n", i)}, 0, WriteOptions{}); err != nil {
				t.Errorf("patch without If-Match: %v", err)
			}
		}()
	}
	wg.Wait()
	revs, err := e.rec.History(e.ctx, e.admin, "crm", "members", id)
	if err != nil {
		t.Fatal(err)
	}
	// create + 1 + up to 10 (two patches writing the same note value
	// make no revision; distinct values here, so exactly 10).
	if len(revs) != 12 || revs[0].Rev != 12 {
		t.Fatalf("%d revisions, newest %d; want 12", len(revs), revs[0].Rev)
	}
}
