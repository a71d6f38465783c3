package action

import (
	"context"
	"slices"
	"strings"

	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The writes of a test run, summarised for the designer: which records of
// which forms the run created, updated or deleted (ids and the names of
// the fields it changed, never their values: the designer may not be
// allowed to read them), the ledger entries it posted, and how many other
// rows it wrote (history, outbox, counters, balances), per collection.
// The recorder sits between the script's host API and the transaction, so
// it sees every write, those of rollups and hooks included.

// maxTestWrites bounds the records and ledger entries listed one by one;
// beyond it they are only counted (Truncated).
const maxTestWrites = 500

// TestWrites is what a test run wrote before its rollback.
type TestWrites struct {
	Records []RecordWrite `json:"records"`
	Ledger  []LedgerPost  `json:"ledger"`
	// Other counts the remaining written rows per collection ("history:
	// members" for a form's history).
	Other     map[string]int `json:"other"`
	Truncated bool           `json:"truncated,omitempty"`
}

// RecordWrite is one record the run wrote (several writes of one record
// are one entry, its first operation kept: created, then updated, is
// "create").
type RecordWrite struct {
	Form   string   `json:"form"`
	ID     string   `json:"id"`
	Op     string   `json:"op"` // create, update, delete
	Fields []string `json:"fields,omitempty"`
}

// LedgerPost is one ledger entry the run posted.
type LedgerPost struct {
	Entry        string `json:"entry"`
	Owner        string `json:"owner"`
	Kind         string `json:"kind"`
	Unit         string `json:"unit,omitempty"`
	Amount       int64  `json:"amount"`
	BalanceAfter int64  `json:"balanceAfter"`
	Type         string `json:"type,omitempty"`
	Key          string `json:"key,omitempty"`
	Ref          string `json:"ref,omitempty"`
	ExpiresAt    string `json:"expiresAt,omitempty"`
}

// writeRecorder passes every operation to the transaction and notes the
// writes that succeeded.
type writeRecorder struct {
	store.Ops
	forms   map[string]string // record collection -> form key
	w       TestWrites
	records map[string]int // "form/id" -> index in w.Records
}

func newWriteRecorder(tx store.Ops, forms map[string]string) *writeRecorder {
	return &writeRecorder{Ops: tx, forms: forms, records: map[string]int{},
		w: TestWrites{Records: []RecordWrite{}, Ledger: []LedgerPost{}, Other: map[string]int{}}}
}

// summary is the writes noted so far.
func (r *writeRecorder) summary() TestWrites { return r.w }

// Insert notes an inserted row.
func (r *writeRecorder) Insert(ctx context.Context, coll string, doc store.Doc) (string, error) {
	id, err := r.Ops.Insert(ctx, coll, doc)
	if err == nil {
		r.note(coll, id, "create", doc, nil)
	}
	return id, err
}

// InsertMany notes every inserted row.
func (r *writeRecorder) InsertMany(ctx context.Context, coll string, docs []store.Doc) ([]string, error) {
	ids, err := r.Ops.InsertMany(ctx, coll, docs)
	if err == nil {
		for i, id := range ids {
			r.note(coll, id, "create", docs[i], nil)
		}
	}
	return ids, err
}

// Update notes an updated row and the fields its patch touched.
func (r *writeRecorder) Update(ctx context.Context, coll, id string, patch store.Patch, cond *query.Node) (store.Doc, error) {
	d, err := r.Ops.Update(ctx, coll, id, patch, cond)
	if err == nil {
		fields := slices.Collect(func(yield func(string) bool) {
			for k := range patch.Set {
				if !yield(k) {
					return
				}
			}
			for k := range patch.Inc {
				if !yield(k) {
					return
				}
			}
		})
		r.note(coll, id, "update", nil, append(fields, patch.Unset...))
	}
	return d, err
}

// Delete notes a deleted row.
func (r *writeRecorder) Delete(ctx context.Context, coll, id string, cond *query.Node) error {
	err := r.Ops.Delete(ctx, coll, id, cond)
	if err == nil {
		r.note(coll, id, "delete", nil, nil)
	}
	return err
}

// note files one write under records, ledger or other.
func (r *writeRecorder) note(coll, id, op string, doc store.Doc, fields []string) {
	formKey, isForm := r.forms[coll]
	switch {
	case isForm && !strings.HasPrefix(formKey, "history:"):
		r.noteRecord(formKey, id, op, fields)
	case coll == ledger.CollEntries && op == "create":
		if len(r.w.Ledger) >= maxTestWrites {
			r.w.Truncated = true
			return
		}
		r.w.Ledger = append(r.w.Ledger, ledgerPostOf(id, doc))
	case isForm:
		r.w.Other[formKey]++
	default:
		r.w.Other[coll]++
	}
}

// noteRecord adds a record write, merging it with earlier writes of the
// same record.
func (r *writeRecorder) noteRecord(formKey, id, op string, fields []string) {
	k := formKey + "/" + id
	i, seen := r.records[k]
	if !seen {
		if len(r.w.Records) >= maxTestWrites {
			r.w.Truncated = true
			return
		}
		i = len(r.w.Records)
		r.records[k] = i
		r.w.Records = append(r.w.Records, RecordWrite{Form: formKey, ID: id, Op: op})
	}
	w := &r.w.Records[i]
	if op == "delete" {
		w.Op, w.Fields = op, nil
		return
	}
	for _, f := range fields {
		if !strings.HasPrefix(f, "_") && !slices.Contains(w.Fields, f) {
			w.Fields = append(w.Fields, f)
		}
	}
	slices.Sort(w.Fields)
}

// ledgerPostOf reads a ledger entry row (engine/ledger's entry document).
func ledgerPostOf(id string, d store.Doc) LedgerPost {
	str := func(k string) string { s, _ := d[k].(string); return s }
	amount, _ := query.ToInt(d["amount"])
	after, _ := query.ToInt(d["balanceAfter"])
	return LedgerPost{Entry: id, Owner: str("owner"), Kind: str("kind"), Unit: str("unit"), Amount: amount,
		BalanceAfter: after, Type: str("type"), Key: str("key"), Ref: str("ref"), ExpiresAt: str("expiresAt")}
}
