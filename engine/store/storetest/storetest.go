// Package storetest is the conformance suite every store adapter passes.
// An adapter's test file calls Run with a Harness that opens its store; the
// suite checks the documented semantics of store.Store and query.Node
// against expectations computed independently in the suite (a small
// reference evaluator over the fixtures plus hand-written expectations for
// the tricky null, missing and array cases).
//
// Every case uses its own collection names, so one store may be shared by
// all cases and by repeated runs against a real database.
package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	_ "time/tzdata" // aggregation cases need zones on machines without a tz database

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Harness tells the suite how to reach the adapter under test.
type Harness struct {
	Open        func(t *testing.T) store.Store // a fresh or shared store; the suite uses unique collection names per case
	NoAggregate string                         // non-empty: skip aggregation cases, printing this reason with t.Skip
}

// Run runs every conformance case against the harness's store.
func Run(t *testing.T, h Harness) {
	if h.Open == nil {
		t.Fatal("storetest: Harness.Open is nil")
	}
	s := &suite{h: h}
	t.Run("CRUD", s.crud)
	t.Run("InsertMany", s.insertMany)
	t.Run("RoundTrip", s.roundTrip)
	t.Run("Filters", s.filters)
	t.Run("DecimalPrecision", s.decimalPrecision)
	t.Run("Sort", s.sorting)
	t.Run("Paging", s.paging)
	t.Run("FindOptions", s.findOptions)
	t.Run("UniqueIndexes", s.indexes)
	t.Run("ConditionalRaces", s.races)
	t.Run("Tx", s.tx)
	t.Run("Aggregate", s.aggregate)
	t.Run("BadInput", s.badInput)
}

type suite struct{ h Harness }

// open opens the store for one case; a nil store is a harness bug.
func (s *suite) open(t *testing.T) store.Store {
	t.Helper()
	st := s.h.Open(t)
	if st == nil {
		t.Fatal("storetest: Harness.Open returned nil")
	}
	return st
}

var (
	runID   = randomTag()
	collSeq atomic.Int64
)

// randomTag makes collection names unique across runs against one database.
func randomTag() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}

// coll returns a collection name no other case (or run) uses.
func coll(base string) string {
	return fmt.Sprintf("st_%s_%s_%d", base, runID, collSeq.Add(1))
}

// mustNil fails the test now on an unexpected error.
func mustNil(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantIs reports (without stopping) when err does not match target.
func wantIs(t testing.TB, err, target error, what string, args ...any) bool {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: want error %v, got %v", fmt.Sprintf(what, args...), target, err)
		return false
	}
	return true
}

// wantRefused reports when err is not a client-safe invalid-request error.
// Adapters refuse bad names and paths with store.ErrInvalid (or another
// *errs.Error of class Invalid), never with driver text or a panic.
func wantRefused(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(what, args...)
	switch {
	case err == nil:
		t.Errorf("%s: accepted, want it refused with store.ErrInvalid", msg)
	case errors.Is(err, store.ErrInvalid):
	case errs.ClassOf(err) == errs.Invalid:
	default:
		t.Errorf("%s: refused with %v (class %v), want store.ErrInvalid", msg, err, errs.ClassOf(err))
	}
}

// idsOf lists the _id of each document, in order.
func idsOf(docs []store.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i], _ = d["_id"].(string)
	}
	return out
}

// diffIDs renders the difference between two id sets for a failure message.
func diffIDs(want, got []string) string {
	w, g := map[string]int{}, map[string]int{}
	for _, id := range want {
		w[id]++
	}
	for _, id := range got {
		g[id]++
	}
	var missing, extra, dup []string
	for id := range w {
		if g[id] == 0 {
			missing = append(missing, id)
		}
	}
	for id, n := range g {
		if w[id] == 0 {
			extra = append(extra, id)
		}
		if n > 1 {
			dup = append(dup, id)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	slices.Sort(dup)
	var b strings.Builder
	fmt.Fprintf(&b, "\n  want %d: %v\n   got %d: %v", len(want), want, len(got), got)
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n  missing:    %v", missing)
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, "\n  unexpected: %v", extra)
	}
	if len(dup) > 0 {
		fmt.Fprintf(&b, "\n  duplicated: %v", dup)
	}
	return b.String()
}

// sameSet reports whether got holds exactly the ids of want, once each.
func sameSet(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	a, b := slices.Clone(want), slices.Clone(got)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
