package automation

import (
	"context"
	"errors"
	"time"
)

// TickResult counts what one tick did.
type TickResult struct {
	// Dispatched events, Scheduled runs created by schedule occurrences,
	// Executed runs claimed and run, Delivered messages handed to their
	// channels (or failed for good).
	Dispatched int `json:"dispatched"`
	Scheduled  int `json:"scheduled"`
	Executed   int `json:"executed"`
	Delivered  int `json:"delivered"`
}

// busy reports whether the tick found work, so the runner goes on at once.
func (t TickResult) busy() bool {
	return t.Dispatched+t.Scheduled+t.Executed+t.Delivered > 0
}

// Tick does one round of every stage: fire the schedule occurrences that
// are due, dispatch pending events, execute the runs that are due, deliver
// the messages that are due. Every stage is safe with other runners on the
// same store at the same time. Errors of one stage do not stop the others;
// the first is returned.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	var first error
	keep := func(err error) {
		if err != nil && first == nil && ctx.Err() == nil {
			first = err
		}
	}
	n, err := s.schedules(ctx)
	res.Scheduled += n
	keep(err)
	n, fresh, err := s.dispatch(ctx)
	res.Dispatched += n
	keep(err)
	runs, err := s.claim(ctx, s.opt.Batch)
	keep(err)
	runs = append(fresh, runs...)
	if len(runs) > 0 {
		s.executeAll(ctx, runs)
		res.Executed = len(runs)
	}
	n, err = s.deliver(ctx)
	res.Delivered += n
	keep(err)
	keep(s.collect(ctx))
	return res, first
}

// Drain ticks until a tick finds nothing to do (at the current time) and
// returns the totals: what tests and benchmarks use instead of waiting.
func (s *Service) Drain(ctx context.Context) (TickResult, error) {
	var total TickResult
	for {
		r, err := s.Tick(ctx)
		total.Dispatched += r.Dispatched
		total.Scheduled += r.Scheduled
		total.Executed += r.Executed
		total.Delivered += r.Delivered
		if err != nil || !r.busy() {
			return total, err
		}
	}
}

// Run ticks until ctx ends: at once again after a tick that found work,
// else after Options.Every. On return the runner's claims are simply left
// to their leases, which other runners take over when they end.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r, err := s.Tick(ctx)
		if err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
			s.log.Warn("automation tick", "err", err.Error())
		}
		if r.busy() && err == nil {
			t.Reset(0)
		} else {
			t.Reset(s.opt.Every)
		}
	}
}
