package action

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/auth"
)

// TestIdempotencyConcurrent: fifty requests with one key at once have one
// effect, and all fifty get the same response, byte for byte.
func TestIdempotencyConcurrent(t *testing.T) {
	e := newEnv(t)
	m := e.member("钱七", "gold")
	in := fmt.Sprintf(`{"receiptId": "R1", "member": %q, "amount": 990}`, m)
	const n = 50
	outs := make([]Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Key order and spacing differ; the input is the same.
			body := in
			if i%2 == 1 {
				body = fmt.Sprintf(`{ "amount": 990, "member": %q, "receiptId": "R1" }`, m)
			}
			outs[i], errs[i] = e.run(e.admin, "checkout", body, Options{IdempotencyKey: "pos-1:R1"})
		}()
	}
	wg.Wait()
	replayed := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if !bytes.Equal(outs[i].Output, outs[0].Output) {
			t.Fatalf("request %d answered %s, request 0 %s", i, outs[i].Output, outs[0].Output)
		}
		if outs[i].Replayed {
			replayed++
		}
	}
	if replayed != n-1 {
		t.Fatalf("%d replays, want %d", replayed, n-1)
	}
	if got := e.effects(); got != [4]int64{1, 1, 1, 1} {
		t.Fatalf("effects %v (sales, entries, idempotency rows, audit)", got)
	}
	if bal, _ := e.led.Balance(e.ctx, "shop", m, "points"); bal != 18 {
		t.Fatalf("balance %d, want 18", bal)
	}
}

// TestIdempotencyMismatchAndScope: the same key with another input is a
// 409; keys are per caller (and per action), so another caller's identical
// key runs on its own.
func TestIdempotencyMismatchAndScope(t *testing.T) {
	e := newEnv(t)
	m := e.member("孙八", "normal")
	first, err := e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": "R1", "member": %q, "amount": 100}`, m), Options{IdempotencyKey: "k"})
	if err != nil || first.Replayed {
		t.Fatalf("first: %v %v", first, err)
	}
	again, err := e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": "R1", "member": %q, "amount": 100}`, m), Options{IdempotencyKey: "k"})
	if err != nil || !again.Replayed || !bytes.Equal(again.Output, first.Output) || again.Logs != nil {
		t.Fatalf("replay: %+v %v", again, err)
	}
	_, err = e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": "R2", "member": %q, "amount": 100}`, m), Options{IdempotencyKey: "k", Lang: "en"})
	if ee := wantCode(t, err, "action.idempotency_mismatch"); ee.Msg != "this idempotency key was used with a different request body" {
		t.Fatalf("message %q", ee.Msg)
	}
	other := &auth.Principal{UserID: "admin2", Admin: true}
	res, err := e.run(other, "checkout", fmt.Sprintf(`{"receiptId": "R3", "member": %q, "amount": 100}`, m), Options{IdempotencyKey: "k"})
	if err != nil || res.Replayed {
		t.Fatalf("another caller's key: %+v %v", res, err)
	}
	_, err = e.run(e.admin, "checkout", `{}`, Options{IdempotencyKey: "bad key"})
	wantCode(t, err, "action.input") // the input is checked first
	_, err = e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": "R4", "member": %q, "amount": 1}`, m), Options{IdempotencyKey: "bad key"})
	wantCode(t, err, "action.idempotency_key")
	if got := e.effects(); got != [4]int64{2, 2, 2, 2} {
		t.Fatalf("effects %v (sales, entries, idempotency rows, audit)", got)
	}
}
