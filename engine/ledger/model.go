package ledger

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Unit is what an account counts.
type Unit string

// Units. Money is in fen (1/100 yuan), never in yuan with decimals.
const (
	UnitPoint Unit = "point"
	UnitFen   Unit = "fen"
)

// Entry types the ledger writes itself; Post refuses them.
const (
	TypeExpire   = "expire"
	TypeReversal = "reversal"
)

// Account is one balance of one owner of one kind.
type Account struct {
	ID    string `json:"id"`
	App   string `json:"app"`
	Owner string `json:"owner"`
	Kind  string `json:"kind"`
	Unit  Unit   `json:"unit"`
	// Balance includes lots past their expiry that Expire has not
	// processed yet; Available does not.
	Balance int64 `json:"balance"`
	// LotsRemaining is the sum of the remaining of the account's lots.
	LotsRemaining int64     `json:"lotsRemaining"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Version       int64     `json:"version"`
}

// Allocation is the part of a debit taken from one lot, or the part of a
// reversal given back to it. Amount is positive.
type Allocation struct {
	Lot    string `json:"lot"`
	Amount int64  `json:"amount"`
}

// Entry is one immutable change of an account.
type Entry struct {
	ID           string `json:"id"`
	Account      string `json:"account"`
	App          string `json:"app"`
	Owner        string `json:"owner"`
	Kind         string `json:"kind"`
	Unit         Unit   `json:"unit"`
	Amount       int64  `json:"amount"` // > 0 credit, < 0 debit
	BalanceAfter int64  `json:"balanceAfter"`
	Key          string `json:"key"`
	Type         string `json:"type"`
	Ref          string `json:"ref,omitempty"`
	// Lot and ExpiresAt: the lot a credit with expiry created.
	Lot       string    `json:"lot,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Lots: the lots a debit used, or those a reversal of a debit refilled.
	Lots []Allocation `json:"lots,omitempty"`
	// Reverses is the entry a reversal undoes; RequestKey the caller's key
	// of that reversal (the entry's own key is "reverse:<id>").
	Reverses   string         `json:"reverses,omitempty"`
	RequestKey string         `json:"requestKey,omitempty"`
	At         time.Time      `json:"at"`
	By         string         `json:"by,omitempty"`
	Meta       map[string]any `json:"meta,omitempty"`
}

// Lot is what remains of one credit that expires.
type Lot struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	App       string    `json:"app"`
	Entry     string    `json:"entry"` // the credit that created it
	Amount    int64     `json:"amount"`
	Remaining int64     `json:"remaining"`
	ExpiresAt time.Time `json:"expiresAt"`
	At        time.Time `json:"at"`
	// Expiries counts the expire entries posted for the lot: more than one
	// only when a reversal refilled it after it had expired.
	Expiries int64 `json:"expiries"`
}

// Posting is a request to change a balance.
type Posting struct {
	App    string
	Owner  string // e.g. the member record id
	Kind   string // ^[a-z][a-z0-9_]{0,31}$, e.g. "points", "sv_principal"
	Unit   Unit
	Amount int64  // > 0 credit, < 0 debit; never 0
	Key    string // idempotency key, unique per app
	Type   string // earn, redeem, topup, pay, refund, adjust, ...
	Ref    string // e.g. the receipt id
	// ExpiresAt makes a credit a lot that expires then; zero: no expiry.
	ExpiresAt time.Time
	By        string         // the actor
	Meta      map[string]any // small: strings, integers, booleans
}

// Fields of the ledger's documents as filters and sorts see them.
var (
	fApp       = query.Field{Path: "app", Kind: query.KindString}
	fOwner     = query.Field{Path: "owner", Kind: query.KindString}
	fKind      = query.Field{Path: "kind", Kind: query.KindString}
	fKey       = query.Field{Path: "key", Kind: query.KindString}
	fRef       = query.Field{Path: "ref", Kind: query.KindString}
	fType      = query.Field{Path: "type", Kind: query.KindString}
	fAccount   = query.Field{Path: "account", Kind: query.KindString}
	fBalance   = query.Field{Path: "balance", Kind: query.KindInt}
	fUnit      = query.Field{Path: "unit", Kind: query.KindString}
	fRemaining = query.Field{Path: "remaining", Kind: query.KindInt}
	fDue       = query.Field{Path: "due", Kind: query.KindTime}
	fExpiries  = query.Field{Path: "expiries", Kind: query.KindInt}
	fAmount    = query.Field{Path: "amount", Kind: query.KindInt}
)

// accountID is "<app>:<kind>:<owner>": app keys and kinds cannot contain
// ":", so the id is unambiguous whatever the owner holds.
func accountID(app, kind, owner string) string { return app + ":" + kind + ":" + owner }

// stamp renders a time in the stored form (UTC, milliseconds).
func stamp(t time.Time) string { return query.FormatTime(t) }

// trunc is t as it will read back from the store.
func trunc(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func str(d store.Doc, k string) string {
	s, _ := d[k].(string)
	return s
}

// i64 reads an integer the store returned (json.Number) or the ledger
// built itself (int64).
func i64(d store.Doc, k string) int64 { return toInt64(d[k]) }

func toInt64(v any) int64 {
	switch n := v.(type) {
	case json.Number:
		i, _ := strconv.ParseInt(string(n), 10, 64)
		return i
	case int64:
		return n
	case int:
		return int64(n)
	}
	return 0
}

func timeOf(d store.Doc, k string) time.Time {
	t, _ := time.Parse(query.TimeLayout, str(d, k))
	return t
}

func accountFrom(d store.Doc) Account {
	return Account{ID: str(d, "_id"), App: str(d, "app"), Owner: str(d, "owner"), Kind: str(d, "kind"),
		Unit: Unit(str(d, "unit")), Balance: i64(d, "balance"), LotsRemaining: i64(d, "lotsRemaining"),
		CreatedAt: timeOf(d, "createdAt"), UpdatedAt: timeOf(d, "updatedAt"), Version: i64(d, "version")}
}

func lotFrom(d store.Doc) Lot {
	return Lot{ID: str(d, "_id"), Account: str(d, "account"), App: str(d, "app"), Entry: str(d, "entry"),
		Amount: i64(d, "amount"), Remaining: i64(d, "remaining"), ExpiresAt: timeOf(d, "expiresAt"),
		At: timeOf(d, "at"), Expiries: i64(d, "expiries")}
}

// entryDoc is the stored form of e; empty optional fields are left out.
func entryDoc(e Entry) store.Doc { return store.Doc(entryMap(&e, "_id", stamp)) }

// entryMap is e as a map with its id under idKey and its times written by
// ts, leaving out empty optional fields: the stored form (entryDoc) and
// the JSON values (Entry.Plain).
func entryMap(e *Entry, idKey string, ts func(time.Time) string) map[string]any {
	d := map[string]any{idKey: e.ID, "account": e.Account, "app": e.App, "owner": e.Owner, "kind": e.Kind,
		"unit": string(e.Unit), "amount": e.Amount, "balanceAfter": e.BalanceAfter, "key": e.Key,
		"type": e.Type, "at": ts(e.At)}
	opt := map[string]string{"ref": e.Ref, "lot": e.Lot, "reverses": e.Reverses, "requestKey": e.RequestKey, "by": e.By}
	for k, v := range opt {
		if v != "" {
			d[k] = v
		}
	}
	if !e.ExpiresAt.IsZero() {
		d["expiresAt"] = ts(e.ExpiresAt)
	}
	if len(e.Lots) > 0 {
		lots := make([]any, len(e.Lots))
		for i, a := range e.Lots {
			lots[i] = map[string]any{"lot": a.Lot, "amount": a.Amount}
		}
		d["lots"] = lots
	}
	if len(e.Meta) > 0 {
		d["meta"] = e.Meta
	}
	return d
}

func entryFrom(d store.Doc) Entry {
	e := Entry{ID: str(d, "_id"), Account: str(d, "account"), App: str(d, "app"), Owner: str(d, "owner"),
		Kind: str(d, "kind"), Unit: Unit(str(d, "unit")), Amount: i64(d, "amount"),
		BalanceAfter: i64(d, "balanceAfter"), Key: str(d, "key"), Type: str(d, "type"), Ref: str(d, "ref"),
		Lot: str(d, "lot"), Reverses: str(d, "reverses"), RequestKey: str(d, "requestKey"),
		At: timeOf(d, "at"), By: str(d, "by")}
	if _, ok := d["expiresAt"]; ok {
		e.ExpiresAt = timeOf(d, "expiresAt")
	}
	if lots, ok := d["lots"].([]any); ok {
		for _, x := range lots {
			if m, ok := x.(map[string]any); ok {
				e.Lots = append(e.Lots, Allocation{Lot: str(m, "lot"), Amount: i64(m, "amount")})
			}
		}
	}
	if m, ok := d["meta"].(map[string]any); ok && len(m) > 0 {
		e.Meta = m
	}
	return e
}
