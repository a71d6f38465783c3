package automation

import (
	"context"
	"errors"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// runOutside runs an Outside action while renewing the run's lease every
// Heartbeat. Such an action may outlast the lease — the RFM scoring of a
// million members takes minutes — and without renewals another runner
// (or this one's next claim) would take the run over and start the action
// again beside the first. A renewal is the run update every step makes,
// on condition of the revision, so if the run is taken over all the same
// the action's context is cancelled and errLost drops the run here.
func (s *Service) runOutside(ctx context.Context, r *Run, act Outside, x *Exec) (any, error) {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop, beats := make(chan struct{}), make(chan error, 1)
	go func() {
		t := time.NewTicker(s.opt.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-stop:
				beats <- nil
				return
			case <-t.C:
			}
			rev, err := s.updateRun(ctx, nil, r, store.Patch{Set: map[string]any{"due": query.FormatTime(s.now().Add(s.opt.LeaseTTL))}})
			if errors.Is(err, errLost) {
				cancel()
				beats <- err
				return
			}
			if err == nil {
				r.Rev = rev // read by the step's own commit once this goroutine has ended
			}
			// Any other failure (a busy store) is retried at the next beat.
		}
	}()
	out, err := act.Run(actx, x)
	close(stop)
	if lost := <-beats; lost != nil {
		return nil, lost
	}
	return out, err
}
