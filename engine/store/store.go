// Package store is the storage port: named collections of JSON documents with
// string ids. Adapters (store/sqlite, store/mongo) register an Opener under a
// URI scheme; store/storetest is the conformance suite every adapter passes.
//
// Documents are map[string]any decoded from JSON. Adapters return every
// number as json.Number (exact: integers stay integers, decimals keep their
// text), dates and times as canonical strings (query.FormatTime), and the id
// under "_id". Callers may pass numbers as int, int64, json.Number or
// float64; money and points must never be float64.
package store

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/query"
)

// Doc is one JSON document.
type Doc = map[string]any

// Query selects, orders and pages documents.
type Query struct {
	Filter *query.Node
	Sort   []query.SortKey // adapters append the _id tie-break themselves
	Limit  int             // 0: adapter default (MaxLimit)
	Skip   int             // offset paging; prefer keyset (After) for lists
	Fields []string        // projection: only these top-level paths (and _id); nil: all
}

// MaxLimit bounds one Find.
const MaxLimit = 10000

// Patch changes a document in place. Paths are dotted.
type Patch struct {
	Set   map[string]any
	Unset []string
	Inc   map[string]int64 // integer increments (balances, counters)
}

// Index describes a secondary index.
type Index struct {
	Name   string   // unique per collection; [a-z0-9_]
	Fields []string // dotted paths; prefix "-" for descending
	Unique bool
}

// Ops are the document operations, available on a Store and inside Tx.
type Ops interface {
	// Insert stores doc; an empty "_id" gets a new id (NewID). Returns the id.
	// ErrDuplicate when the id or a unique index value exists.
	Insert(ctx context.Context, coll string, doc Doc) (string, error)
	// InsertMany stores docs in order, as Insert would one by one, and
	// returns their ids in the same order. It is all or nothing: on any
	// error none of docs is stored, and inside a Tx the transaction's
	// other writes are kept (on SQLite; on MongoDB a failed write aborts
	// the whole transaction, as for Insert). A duplicate id or unique
	// index value, against stored documents or within docs, is an
	// ErrDuplicate naming the first failing row (FailedRow). No docs is
	// no write. Adapters write many rows per statement or round trip:
	// this is the bulk path of imports and data generators.
	InsertMany(ctx context.Context, coll string, docs []Doc) ([]string, error)
	// Get returns one document or ErrNotFound.
	Get(ctx context.Context, coll, id string) (Doc, error)
	// Find returns matching documents in sort order (then by _id).
	Find(ctx context.Context, coll string, q Query) ([]Doc, error)
	// Count counts matching documents.
	Count(ctx context.Context, coll string, filter *query.Node) (int64, error)
	// Update applies patch to document id when cond (nil: always) holds,
	// atomically, and returns the new document. ErrNotFound when there is
	// no such document, ErrConditionFailed when cond is false,
	// ErrDuplicate on a unique index violation.
	Update(ctx context.Context, coll, id string, patch Patch, cond *query.Node) (Doc, error)
	// Delete removes document id when cond holds. ErrNotFound, ErrConditionFailed.
	Delete(ctx context.Context, coll, id string, cond *query.Node) error
	// Aggregate runs a group-by in the database. ErrUnsupported where the
	// backend cannot (lungo).
	Aggregate(ctx context.Context, coll string, spec *query.Aggregate) ([]Doc, error)
}

// Store is an opened database.
type Store interface {
	Ops
	// Tx runs fn atomically: every write through tx commits together or not
	// at all (on error or panic). fn may run more than once on backends that
	// retry transient conflicts, so it must not have outside effects. fn must
	// use tx, never the Store itself.
	Tx(ctx context.Context, fn func(tx Ops) error) error
	// EnsureIndexes creates missing indexes; existing ones are kept.
	EnsureIndexes(ctx context.Context, coll string, idx []Index) error
	// Ping checks the database is reachable (readiness).
	Ping(ctx context.Context) error
	// Backend names the adapter ("sqlite", "mongo", "lungo").
	Backend() string
	Close() error
}

// Observer receives the latency of every store operation (metrics).
type Observer func(backend, op string, d time.Duration, err error)
