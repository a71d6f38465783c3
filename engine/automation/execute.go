package automation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// errLost reports that a run changed under this runner (its lease ended
// and another runner took it): drop it, the other runner carries on.
var errLost = errors.New("automation: the run was taken over")

// MaxOutputBytes bounds an action's output kept in its run.
const MaxOutputBytes = 32 << 10

// claim takes up to n runs that are due, for this runner: each is a
// conditional update (still due when it was read, same revision) that
// moves its due time to the end of the lease, all in one transaction.
func (s *Service) claim(ctx context.Context, n int) ([]*Run, error) {
	now := s.now()
	docs, err := s.st.Find(ctx, CollRuns, store.Query{
		Filter: query.Cmp(fDue, query.OpLte, query.TimeV(query.FormatTime(now))),
		Sort:   []query.SortKey{{Field: fDue}}, Limit: n, Fields: []string{"_id", "due", "rev"}})
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	until := query.FormatTime(now.Add(s.opt.LeaseTTL))
	var out []*Run
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		out = out[:0]
		for _, d := range docs {
			id, _ := d["_id"].(string)
			due, _ := d["due"].(string)
			rev, _ := query.ToInt(d["rev"])
			doc, err := tx.Update(ctx, CollRuns, id, store.Patch{
				Set: map[string]any{"holder": s.opt.Holder, "due": until, "status": RunRunning}, Inc: map[string]int64{"rev": 1}},
				query.And(query.Eq(fDue, query.TimeV(due)), revCond(rev)))
			if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrNotFound.Code) {
				continue
			}
			if err != nil {
				return err
			}
			r, err := decodeRun(doc)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// executeAll runs the claimed runs on the runner's workers.
func (s *Service) executeAll(ctx context.Context, runs []*Run) {
	ch := make(chan *Run)
	var wg sync.WaitGroup
	for range min(s.opt.Workers, len(runs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range ch {
				if err := s.execute(ctx, r); err != nil && !errors.Is(err, errLost) && ctx.Err() == nil {
					s.log.Warn("automation run", "run", r.ID, "err", err.Error())
				}
			}
		}()
	}
	for _, r := range runs {
		ch <- r
	}
	close(ch)
	wg.Wait()
}

// execute carries a claimed run as far as it goes now: to its end, a
// wait, or a failure.
func (s *Service) execute(ctx context.Context, r *Run) error {
	a, err := s.cat.version(ctx, r.App, r.Automation, r.Version)
	if err != nil {
		return s.fail(ctx, r, nil, err)
	}
	now := s.now()
	rec, gone, err := s.recordOf(ctx, r)
	if err != nil {
		return s.fail(ctx, r, a, err)
	}
	x := s.newExec(r, a, rec, now)
	if r.PC == 0 && len(r.Steps) == 0 {
		if gone {
			return s.finish(ctx, r, RunSkipped, &RunError{Code: "automation.record_gone", Message: "the record no longer exists"})
		}
		ok, err := s.holds(ctx, a, rec, now)
		if err != nil {
			return s.fail(ctx, r, a, err)
		}
		if !ok {
			return s.finish(ctx, r, RunSkipped, nil)
		}
	}
	if err := s.prepare(ctx); err != nil {
		return s.fail(ctx, r, a, err)
	}
	// Records the actions write carry the chain's depth into their own
	// events (see MaxChainDepth).
	depth, _ := query.ToInt(r.Data["depth"])
	ctx = form.WithEventDepth(ctx, int(depth)+1)
	for {
		r.PC = a.follow(r.PC)
		if r.PC >= len(a.program) {
			return s.finish(ctx, r, RunDone, nil)
		}
		if err := s.step(ctx, r, a, x); err != nil {
			if errors.Is(err, errLost) || errors.Is(err, errPaused) || errors.Is(err, errFinished) {
				return nil
			}
			return s.fail(ctx, r, a, err)
		}
	}
}

// finish ends a run that did not fail.
func (s *Service) finish(ctx context.Context, r *Run, status string, why *RunError) error {
	stamp := query.FormatTime(s.now())
	set := map[string]any{"status": status, "finishedAt": stamp, "updatedAt": stamp}
	unset := []string{"due", "holder"}
	if why != nil {
		why.At = stamp
		set["error"] = keepable(why)
	} else {
		unset = append(unset, "error")
	}
	_, err := s.updateRun(ctx, nil, r, store.Patch{Set: set, Unset: unset})
	if errors.Is(err, errLost) {
		return nil
	}
	return err
}

// fail records a failed attempt: a retry after the backoff, or the
// dead-letter list after the last attempt.
func (s *Service) fail(ctx context.Context, r *Run, a *Automation, cause error) error {
	if ctx.Err() != nil {
		// Stopping is not a failure: the lease ends and another runner
		// (or this one, restarted) carries on from the last commit.
		return nil
	}
	now := s.now()
	stamp := query.FormatTime(now)
	retry := (*RetrySpec)(nil).withDefaults()
	if a != nil {
		retry = a.Retry
	}
	pc := r.PC
	var se *stepError
	if errors.As(cause, &se) {
		pc, cause = se.pc, se.err
	}
	step := ""
	if a != nil && pc < len(a.program) {
		step = a.program[pc].id
	}
	re := runError(cause, step, stamp)
	if errs.ClassOf(cause) == errs.Internal {
		s.log.Warn("automation action failed", "run", r.ID, "step", step, "err", cause.Error())
	}
	attempts := r.Attempts + 1
	set := map[string]any{"attempts": attempts, "error": keepable(re), "updatedAt": stamp}
	if step != "" {
		set["steps."+step] = keepable(StepResult{Status: StepFailed, Type: a.program[pc].typ, Key: stepKey(r.ID, step), At: stamp,
			Error: re, Attempts: attempts})
	}
	var unset []string
	if attempts >= retry.MaxAttempts {
		set["status"] = RunDead
		unset = []string{"due", "holder"}
	} else {
		set["status"], set["due"] = RunRetry, query.FormatTime(now.Add(retry.backoff(attempts, r.ID)))
		unset = []string{"holder"}
	}
	_, err := s.updateRun(ctx, nil, r, store.Patch{Set: set, Unset: unset})
	if errors.Is(err, errLost) {
		return nil
	}
	if err != nil {
		return err
	}
	return cause
}

// runError is a failure as the run log keeps it. Coded errors keep their
// code and message (they are written for users); anything else is an
// internal error whose detail goes to the server log only.
func runError(err error, step, at string) *RunError {
	if e, ok := errs.As(err); ok {
		msg := e.Msg
		for _, f := range e.Fields {
			msg += "; " + f.Path + ": " + f.Message
		}
		return &RunError{Code: e.Code, Message: msg, Step: step, At: at}
	}
	return &RunError{Code: "automation.internal", Message: "internal error (see the server log)", Step: step, At: at}
}

// follow moves past jumps.
func (a *Automation) follow(pc int) int {
	for n := 0; pc < len(a.program) && a.program[pc].id == "" && n <= len(a.program); n++ {
		pc = a.program[pc].jump
	}
	return pc
}

// prepare readies, outside any transaction, what actions need inside one.
func (s *Service) prepare(ctx context.Context) error {
	if s.actions != nil {
		if err := s.actions.Prepare(ctx); err != nil {
			return err
		}
	}
	return nil
}

// recordOf is the record a run is about: the event's snapshot, or the
// stored record. gone reports a record that no longer exists.
func (s *Service) recordOf(ctx context.Context, r *Run) (map[string]any, bool, error) {
	if r.Record == "" || r.Form == "" {
		return nil, false, nil
	}
	switch r.EventType {
	case EventRecordCreated, EventRecordUpdated:
		if after, ok := r.Data["after"].(map[string]any); ok {
			return after, false, nil
		}
	case EventRecordDeleted:
		if before, ok := r.Data["before"].(map[string]any); ok {
			return before, false, nil
		}
	}
	doc, err := s.records.Get(ctx, system(), r.App, r.Form, r.Record)
	if errs.ClassOf(err) == errs.NotFound {
		return nil, true, nil
	}
	return doc, false, err
}

// holds evaluates the automation's condition on the record at now.
func (s *Service) holds(ctx context.Context, a *Automation, rec map[string]any, now time.Time) (bool, error) {
	if len(a.Condition) == 0 || string(a.Condition) == "null" || a.Trigger.Form() == "" {
		return true, nil
	}
	f, err := s.records.Form(ctx, a.App, a.Trigger.Form())
	if err != nil {
		return false, err
	}
	n, err := s.condition(a, f, now)
	if err != nil {
		return false, err
	}
	return form.Match(n, rec), nil
}

// condition parses an automation's condition against a form version, on
// the day of at: a condition may compare with "$now", "$today" and
// "$yesterday" (the welcome coupon is for members registered since
// yesterday, not for the history an import or the demo generator
// writes). Parsed once per version, form version and day.
func (s *Service) condition(a *Automation, f *form.Form, at time.Time) (*query.Node, error) {
	vars := timeVars(at)
	ck := a.App + "/" + a.Key + "@" + itoa(a.Version) + "/" + itoa(f.Version) + "/" + vars["$today"].(string)
	if n, ok := s.conds.Load(ck); ok {
		return n.(*query.Node), nil
	}
	n, err := query.ParseFilter(a.Condition, f.QFields, query.Options{Root: "condition", Vars: vars})
	if err != nil {
		return nil, err
	}
	s.conds.Store(ck, n)
	return n, nil
}

// timeVars are the variables conditions may use: "$now" (the instant) and
// "$today", "$yesterday" (dates in Asia/Shanghai).
func timeVars(at time.Time) map[string]any {
	l := at.In(query.DefaultLocation)
	return map[string]any{"$now": query.FormatTime(at), "$today": l.Format("2006-01-02"),
		"$yesterday": l.AddDate(0, 0, -1).Format("2006-01-02")}
}

// keepable turns an action's output into what a run document can hold:
// plain JSON (numbers exact), at most MaxOutputBytes.
func keepable(v any) any {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"unrepresentable": true}
	}
	if len(raw) > MaxOutputBytes {
		return map[string]any{"truncated": true, "bytes": len(raw)}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil
	}
	return out
}
