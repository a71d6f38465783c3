package form

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Idempotent creates. A key is scoped to the principal and the form: its
// claim document's id is a hash of (actor, app, form, key), and it holds
// the hash of the request body and the record as first stored. The claim
// is inserted in the create's transaction, so a key is taken exactly when
// its record exists; a concurrent second attempt either sees the claim or
// fails on its id and then reads it. Claims are kept with the records they
// describe (a retried request may come days later from an offline POS).

// MaxIdempotencyKey bounds the length of a key.
const MaxIdempotencyKey = 200

type idemClaim struct {
	id, hash, lang string
}

// newIdemClaim checks the key and hashes the request body (JSON with
// sorted keys, so the same body always gives the same hash).
func newIdemClaim(p *auth.Principal, f *Form, key string, input map[string]any, lang string) (*idemClaim, error) {
	if len(key) > MaxIdempotencyKey || !visibleASCII(key) {
		return nil, coded(lang, errs.Invalid, "record.idempotency_key")
	}
	body, err := json.Marshal(input)
	if err != nil {
		return nil, errs.Wrap(err, errs.Invalid, "request.malformed", "the body cannot be encoded")
	}
	bh := sha256.Sum256(body)
	h := sha256.New()
	for _, part := range []string{p.Actor(), f.App, f.Key, key} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return &idemClaim{id: hex.EncodeToString(h.Sum(nil)[:20]), hash: hex.EncodeToString(bh[:]), lang: lang}, nil
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

// replay returns the stored first result of the key, nil when the key is
// new, or the mismatch error when it was used with another body.
func (r *Records) replay(ctx context.Context, ops store.Ops, c *idemClaim) (store.Doc, error) {
	doc, err := ops.Get(ctx, collIdem, c.id)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if doc["hash"] != c.hash {
		return nil, coded(c.lang, errs.Conflict, "record.idempotency_mismatch")
	}
	rec, _ := doc["response"].(map[string]any)
	if rec == nil {
		return nil, errs.New(errs.Internal, "record.idempotency_corrupt", "the stored result of an idempotency key is missing")
	}
	return rec, nil
}

// store keeps the claim with the record as created.
func (c *idemClaim) store(ctx context.Context, tx store.Ops, rec store.Doc, at string) error {
	_, err := tx.Insert(ctx, collIdem, store.Doc{"_id": c.id, "hash": c.hash, "response": rec, "at": at})
	return err
}

// replayed carries a stored result out of a transaction that found it.
type replayed struct {
	doc store.Doc
	err error
}

// Error makes replayed an error, so it can leave store.Tx.
func (e *replayed) Error() string { return "idempotent replay" }
