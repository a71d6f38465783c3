package automation

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// errPaused ends execute after a wait moved the run out of the runner.
var errPaused = errors.New("automation: run paused")

// stepError is the failure of the action at pc.
type stepError struct {
	pc  int
	err error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// maxGroup bounds the actions one transaction runs.
const maxGroup = 20

// done is one action's result waiting for its commit.
type done struct {
	id  string
	res StepResult
}

// step runs the run's next instructions: a wait, or an Outside action,
// alone; otherwise every in-store action up to the next of those (at most
// maxGroup) in one transaction, whose run update records each action's
// result and the new position. If one of them fails, the transaction and
// with it the group's earlier effects roll back, and the retry starts at
// the group's first action again: each effect still commits exactly once.
func (s *Service) step(ctx context.Context, r *Run, a *Automation, x *Exec) error {
	in := &a.program[r.PC]
	now := s.now()
	x.Now = now
	switch act := in.action.(type) {
	case Waiter:
		x.at(in.id, nil)
		until, err := act.Until(ctx, x)
		if err != nil {
			return &stepError{pc: r.PC, err: err}
		}
		d := []done{{id: in.id, res: s.result(r, in, map[string]any{"until": query.FormatTime(until)})}}
		if until.After(now) {
			return s.commitNow(ctx, r, a, x, d, r.PC+1, query.FormatTime(until))
		}
		return s.commitNow(ctx, r, a, x, d, r.PC+1, "")
	case Outside:
		x.at(in.id, nil)
		out, err := s.runOutside(ctx, r, act, x)
		if errors.Is(err, errLost) {
			return err
		}
		if err != nil {
			return &stepError{pc: r.PC, err: err}
		}
		return s.commitNow(ctx, r, a, x, []done{{id: in.id, res: s.result(r, in, out)}}, r.PC+1, "")
	}
	var results []done
	var apply func() error
	steps := x.vars["steps"].(map[string]any)
	err := s.inTx(ctx, func(tx store.Ops) error {
		for _, d := range results {
			delete(steps, d.id) // a retried transaction starts over
		}
		results = results[:0]
		pc := r.PC
		for n := 0; n < maxGroup; n++ {
			if pc = a.follow(pc); pc >= len(a.program) {
				break
			}
			in := &a.program[pc]
			if _, ok := in.action.(Outside); ok {
				break
			}
			if _, ok := in.action.(Waiter); ok {
				break
			}
			x.Now = s.now()
			x.at(in.id, tx)
			next := pc + 1
			var out any
			var err error
			if ch, ok := in.action.(Chooser); ok {
				var b int
				b, out, err = ch.Choose(ctx, x)
				next = in.end
				if b >= 0 && b < len(in.targets) {
					next = in.targets[b]
				}
			} else {
				out, err = in.action.Run(ctx, x)
			}
			if err != nil {
				return &stepError{pc: pc, err: err}
			}
			d := done{id: in.id, res: s.result(r, in, out)}
			results = append(results, d)
			steps[in.id] = d.res.Output
			pc = next
		}
		var err error
		apply, err = s.commit(ctx, tx, r, a, results, pc, "")
		return err
	})
	if err != nil {
		for _, d := range results {
			delete(steps, d.id)
		}
		return err
	}
	return apply()
}

// result is an action's successful result.
func (s *Service) result(r *Run, in *instr, out any) StepResult {
	return StepResult{Status: StepOK, Type: in.typ, Key: stepKey(r.ID, in.id), At: query.FormatTime(s.now()), Output: keepable(out)}
}

// inTx runs fn in a store transaction and then lets the records service
// create the indexes of forms first compiled inside it.
func (s *Service) inTx(ctx context.Context, fn func(tx store.Ops) error) error {
	err := s.st.Tx(ctx, fn)
	_ = s.records.EnsurePendingIndexes(ctx)
	return err
}

// commit records results and moves the run to next, through tx (nil: a
// write of its own); waitUntil pauses the run until then. It returns what
// to apply to r and x once the write has committed (inside a transaction
// that may still fail or run again, they must not change yet).
func (s *Service) commit(ctx context.Context, tx store.Ops, r *Run, a *Automation, results []done, next int, waitUntil string) (func() error, error) {
	now := s.now()
	stamp := query.FormatTime(now)
	next = a.follow(next)
	set := map[string]any{"pc": next, "attempts": 0, "updatedAt": stamp}
	for _, d := range results {
		set["steps."+d.id] = keepable(d.res)
	}
	var unset []string
	switch {
	case next >= len(a.program):
		set["status"], set["finishedAt"] = RunDone, stamp
		unset = []string{"due", "holder", "error"}
	case waitUntil != "":
		set["status"], set["due"] = RunWaiting, waitUntil
		unset = []string{"holder"}
	default:
		set["due"] = query.FormatTime(now.Add(s.opt.LeaseTTL))
	}
	rev, err := s.updateRun(ctx, tx, r, store.Patch{Set: set, Unset: unset})
	if err != nil {
		return nil, err
	}
	return func() error {
		r.Rev, r.PC, r.Attempts = rev, next, 0
		for _, d := range results {
			r.Steps[d.id] = d.res
		}
		if next >= len(a.program) {
			r.Status = RunDone
			return errFinished
		}
		if waitUntil != "" {
			return errPaused
		}
		return nil
	}, nil
}

// errFinished ends execute after the commit that finished the run.
var errFinished = errors.New("automation: run finished")

// commitNow is commit in a write of its own, for a single action that ran
// outside a transaction.
func (s *Service) commitNow(ctx context.Context, r *Run, a *Automation, x *Exec, d []done, next int, waitUntil string) error {
	apply, err := s.commit(ctx, nil, r, a, d, next, waitUntil)
	if err != nil {
		return err
	}
	for _, e := range d {
		x.vars["steps"].(map[string]any)[e.id] = e.res.Output
	}
	return apply()
}

// updateRun applies patch to the run on condition of its revision and
// returns the new revision.
func (s *Service) updateRun(ctx context.Context, tx store.Ops, r *Run, p store.Patch) (int64, error) {
	p.Inc = map[string]int64{"rev": 1}
	var ops store.Ops = s.st
	if tx != nil {
		ops = tx
	}
	doc, err := ops.Update(ctx, CollRuns, r.ID, p, revCond(r.Rev))
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrNotFound.Code) {
		return 0, errLost
	}
	if err != nil {
		return 0, err
	}
	rev, _ := query.ToInt(doc["rev"])
	return rev, nil
}
