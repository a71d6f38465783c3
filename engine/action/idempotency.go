package action

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Idempotent runs. A key is scoped to the caller, the app and the action:
// its document's id is a hash of (actor, app, action, key), and it holds
// the hash of the input and the response as first given. It is inserted
// in the run's own transaction, after the script, so it exists exactly
// when the run's effects do: a crash can neither keep a response without
// its effects nor effects without their response, and a failed run leaves
// no key behind (a retry runs again).
//
// Concurrent first attempts: on the embedded store transactions take turns
// at the single writer. A run done inside its turn finds the first's
// document there and replays it without running the script; a speculative
// run's commit inserts the key without looking first, fails on the id,
// rolls its turn back and replays the first's document (speculate.go). On
// MongoDB both may run; the loser's insert conflicts, its transaction
// aborts (MongoDB retries write conflicts, and the retry replays), or it
// fails on the id, and then Run reads the winner's document and replays
// that. Either way exactly one run has an effect.

// CollIdempotency holds the stored responses of runs made with a key.
// Keys are kept, like the records' idempotency claims: a POS that was
// offline may retry days later.
const CollIdempotency = "action_idem"

// MaxIdempotencyKey bounds the length of a key.
const MaxIdempotencyKey = 200

// claim is one run's idempotency key.
type claim struct {
	id, key, hash string
}

// newClaim checks the key and hashes the input; canonical is the input as
// JSON with sorted keys, so equal inputs hash equally whatever their
// spacing or key order.
func newClaim(p *auth.Principal, app, action, key string, canonical []byte, lang string) (*claim, error) {
	if len(key) > MaxIdempotencyKey || !visibleASCII(key) {
		return nil, coded(lang, errs.Invalid, "action.idempotency_key")
	}
	h := sha256.New()
	for _, part := range []string{p.Actor(), app, action, key} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	ih := sha256.Sum256(canonical)
	return &claim{id: hex.EncodeToString(h.Sum(nil)[:20]), key: key, hash: hex.EncodeToString(ih[:])}, nil
}

func visibleASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// lookup returns the stored response of the key (nil when the key is new),
// or the mismatch error when it was used with another input.
func (c *claim) lookup(ctx context.Context, ops store.Ops, lang string) ([]byte, error) {
	doc, err := ops.Get(ctx, CollIdempotency, c.id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if doc["hash"] != c.hash {
		return nil, coded(lang, errs.Conflict, "action.idempotency_mismatch")
	}
	resp, ok := doc["response"].(string)
	if !ok {
		return nil, errs.New(errs.Internal, "action.idempotency_corrupt", "the stored response of an idempotency key is missing")
	}
	return []byte(resp), nil
}

// store keeps the response with the key, inside the run's transaction.
// The response is stored as JSON text so a replay answers the same bytes.
func (c *claim) store(ctx context.Context, tx store.Ops, p *auth.Principal, a *compiled, output []byte, at string) error {
	_, err := tx.Insert(ctx, CollIdempotency, store.Doc{
		"_id": c.id, "key": c.key, "actor": p.Actor(), "app": a.app, "action": a.key, "version": a.version,
		"hash": c.hash, "status": 200, "response": string(output), "at": at,
	})
	return err
}

// replay carries a stored response (or the mismatch error) out of the
// transaction that found it; returned from the Tx function, it also rolls
// back the nothing that transaction wrote.
type replay struct {
	output []byte
	err    error
}

// Error makes replay an error, so it can leave store.Tx.
func (r *replay) Error() string { return "idempotent replay" }
