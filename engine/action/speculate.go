package action

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// How a run uses speculation (spec.go), on the embedded store:
//
//  1. The script runs outside the writer against specOps. Several runs
//     do so at once, on all cores, while the writer commits others.
//  2. If the speculation gave up (a query over its own writes, a write
//     the store would refuse, a store error), the run is done the old
//     way: the script inside the writer's turn.
//  3. If the script failed and its failure does not depend on stored data
//     — a time limit (never a function of the data, and redoing it inside
//     the writer would hold every other run up for the whole limit), the
//     caller's cancellation, or an error before the script read or wrote
//     anything (input checks) — that failure is the answer, with no
//     transaction: a failed run writes nothing either way.
//  4. Otherwise, in the writer's turn: the idempotency key is looked up
//     (a stored response is replayed, as before); the reads are checked
//     and the writes replayed (spec_commit.go). If a read changed,
//     nothing was written yet and the run is done again inside this same
//     turn. If a replayed write differs, the turn is rolled back and the
//     run is done inside the next turn. If all holds, a successful
//     script's audit entry and idempotency key are written as before,
//     and a failed script's error is returned, rolling its replayed
//     writes back: its failure is then exactly the one it would have had
//     inside the turn (a declined debit, a stale version, a thrown error
//     after some reads).
//
// On MongoDB and lungo runs do not speculate: transactions there run
// concurrently already (MongoDB retries the conflicting ones), so running
// the script outside one saves nothing, and replaying writes would only
// add a round trip per write.

// errDiverged rolls back the turn of a speculation whose replayed write
// gave another result than the speculation saw.
var errDiverged = errs.New(errs.Internal, "action.speculation_diverged", "a replayed write differs from the speculative run's; the run is done again")

// speculation is a run's script as it ran outside the writer.
type speculation struct {
	ops  *specOps
	out  []byte
	logs []string
	err  error
	s    *Service
}

// specStats count how speculative runs ended, for tests and benchmarks.
type specStats struct {
	committed atomic.Int64 // the speculation was the run
	final     atomic.Int64 // a failure answered without a transaction
	abandoned atomic.Int64 // gave up: done inside the writer
	stale     atomic.Int64 // a read changed: done again in the same turn
	diverged  atomic.Int64 // a replayed write differed: done in another turn
	turn      atomic.Int64 // nanoseconds commits held the writer's turn
	skipped   atomic.Int64 // did not speculate: the action's speculations were mostly wasted
}

// speculateRun runs the script of a against committed data, buffering its
// writes.
func (s *Service) speculateRun(ctx context.Context, a *compiled, caller, p *auth.Principal, in any, o Options, lang string) *speculation {
	ops := newSpecOps(s.st)
	var out []byte
	var logs []string
	var err error
	if werr := s.onWorker(ctx, func() { out, logs, err = s.execute(ctx, ops, a, caller, p, in, o, lang) }); werr != nil {
		return &speculation{ops: ops, err: werr, s: s}
	}
	if s.afterSpeculate != nil {
		s.afterSpeculate()
	}
	return &speculation{ops: ops, out: out, logs: logs, err: err, s: s}
}

// usable reports whether the speculation can be committed (it did not
// give up).
func (sp *speculation) usable() bool {
	if sp.ops.abort != nil {
		sp.s.spec.abandoned.Add(1)
		return false
	}
	return true
}

// final reports whether the speculation's failure is the run's answer as
// it stands (see the list above).
func (sp *speculation) final(ctx context.Context) bool {
	if sp.err == nil || sp.ops.abort != nil {
		return false
	}
	if ctx.Err() != nil || errs.HasCode(sp.err, script.CodeTimeout) || (len(sp.ops.reads) == 0 && len(sp.ops.writes) == 0) {
		sp.s.spec.final.Add(1)
		return true
	}
	return false
}

// commit checks the speculation's reads and replays its writes through
// tx: false when a read changed (nothing written), errDiverged when a
// write gave another result (the caller's turn must roll back).
func (sp *speculation) commit(ctx context.Context, tx store.Ops) (bool, error) {
	defer func(start time.Time) { sp.s.spec.turn.Add(int64(time.Since(start))) }(time.Now())
	if !sp.ops.fresh(ctx, tx) {
		sp.s.spec.stale.Add(1)
		return false, nil
	}
	if !sp.ops.apply(ctx, tx) {
		sp.s.spec.diverged.Add(1)
		return false, errDiverged
	}
	sp.s.spec.committed.Add(1)
	return true, nil
}

// SpecCounts are how a service's speculative runs ended so far.
type SpecCounts struct {
	Committed, Final, Abandoned, Stale, Diverged int64
	// Skipped runs did not speculate (specHealth).
	Skipped int64
}

// SpecCounts returns how the service's speculative runs ended so far
// (benchmarks report them beside their figures).
func (s *Service) SpecCounts() SpecCounts {
	return SpecCounts{Committed: s.spec.committed.Load(), Final: s.spec.final.Load(), Abandoned: s.spec.abandoned.Load(),
		Stale: s.spec.stale.Load(), Diverged: s.spec.diverged.Load(), Skipped: s.spec.skipped.Load()}
}

// Speculation is how a service's runs use speculation (SetSpeculation).
type Speculation int

const (
	// SpeculateAdaptive, the default on the embedded store: every action
	// speculates until its speculations are mostly wasted (specHealth).
	SpeculateAdaptive Speculation = iota
	// SpeculateAlways speculates every run (the behaviour before
	// specHealth), for comparisons.
	SpeculateAlways
	// SpeculateNever runs every script inside the writer's turn.
	SpeculateNever
)

// SetSpeculation sets how runs speculate (only on a store that supports
// it); benchmarks compare the modes on one workload. Call it before the
// service runs anything.
func (s *Service) SetSpeculation(m Speculation) {
	s.speculate = m != SpeculateNever && s.st != nil && s.st.Backend() == "sqlite"
	s.specAlways = m == SpeculateAlways
}

// specHealth tells whether an action's runs should speculate. A
// speculation that turns out stale or diverged (or gives up) was wasted:
// the script then runs a second time inside the writer, and a diverged
// one costs a rolled-back turn as well. Some actions conflict with each
// other nearly always: every CRM checkout used to update the same report
// rollup cells (engine/report's write hook) and write counters inside its
// speculation, so on a busy store 96% of them diverged, and each checkout
// cost about twice the CPU of running inside the writer
// (docs/PERFORMANCE.md; the hook's work is now deferred to the replay,
// form.Deferrer, and those checkouts speculate again). An
// action whose recent speculations were mostly wasted therefore runs
// inside the writer, and still speculates one run in specProbe, so that
// it goes back to speculating once its runs stop conflicting.
type specHealth struct {
	// wasted is a moving average of wasted speculations (the last eight
	// or so weigh most), in 1/specScale.
	wasted atomic.Int32
	// skipped counts runs that did not speculate, for the probes.
	skipped atomic.Int32
}

const (
	specScale = 1024
	// specWastedLimit: at this share of wasted speculations or more, the
	// action runs inside the writer.
	specWastedLimit = specScale / 2
	// specProbe: one run in this many still speculates meanwhile.
	specProbe = 32
)

// try reports whether the next run should speculate.
func (h *specHealth) try() bool {
	if h.wasted.Load() < specWastedLimit {
		return true
	}
	return h.skipped.Add(1)%specProbe == 0
}

// record counts a speculation that was committed (false) or wasted.
func (h *specHealth) record(wasted bool) {
	for {
		old := h.wasted.Load()
		next := old - old/8
		if wasted {
			next += specScale / 8
		}
		if h.wasted.CompareAndSwap(old, next) {
			return
		}
	}
}
