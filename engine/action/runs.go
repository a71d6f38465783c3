package action

import (
	"context"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// Recent runs, for designers trying an action out: outcome, error with
// its reason and paths, duration and the script's log. They are kept in
// memory, the last runsPerAction of each action on this server instance,
// because writing them to the store would add a write to every run (a
// failed run's record could not even share its rolled-back transaction).
// They are a debugging aid, not an audit trail: the audit log records
// every successful run, and a restart forgets them.
const runsPerAction = 100

// MaxRuns bounds the runs Runs returns.
const MaxRuns = runsPerAction

// RunRecord is one run as Runs reports it.
type RunRecord struct {
	At             time.Time         `json:"at"`
	Actor          string            `json:"actor"`
	Version        int               `json:"version"`
	OK             bool              `json:"ok"`
	Replayed       bool              `json:"replayed,omitempty"`
	Code           string            `json:"code,omitempty"`
	Message        string            `json:"message,omitempty"`
	Errors         []errs.FieldError `json:"errors,omitempty"`
	Ms             float64           `json:"ms"`
	IdempotencyKey string            `json:"idempotencyKey,omitempty"`
	RequestID      string            `json:"requestId,omitempty"`
	Logs           []string          `json:"logs,omitempty"`
}

// runLog is a ring of recent runs per action.
type runLog struct {
	mu    sync.Mutex
	rings map[string]*ring
}

type ring struct {
	items []RunRecord
	next  int // where the next record goes once full
}

func newRunLog() *runLog { return &runLog{rings: map[string]*ring{}} }

// add records a run. Internal errors are recorded by code only: their
// text may name internals a designer need not see.
func (l *runLog) add(a *compiled, p *auth.Principal, o Options, res Result, err error, d time.Duration) {
	r := RunRecord{At: time.Now().UTC(), Actor: p.Actor(), Version: a.version, OK: err == nil, Replayed: res.Replayed,
		Ms: float64(d.Microseconds()) / 1000, IdempotencyKey: o.IdempotencyKey, RequestID: o.RequestID, Logs: res.Logs}
	if err != nil {
		r.Code, r.Message = "internal", "internal error"
		if e, ok := errs.As(err); ok {
			r.Code = e.Code
			if e.Class != errs.Internal {
				r.Message, r.Errors = e.Msg, e.Fields
			}
		}
	}
	k := a.app + "/" + a.key
	l.mu.Lock()
	defer l.mu.Unlock()
	rg := l.rings[k]
	if rg == nil {
		rg = &ring{}
		l.rings[k] = rg
	}
	if len(rg.items) < runsPerAction {
		rg.items = append(rg.items, r)
		return
	}
	rg.items[rg.next] = r
	rg.next = (rg.next + 1) % runsPerAction
}

// recent returns up to limit runs of an action, newest first.
func (l *runLog) recent(app, key string, limit int) []RunRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	rg := l.rings[app+"/"+key]
	out := []RunRecord{}
	if rg == nil {
		return out
	}
	n := len(rg.items)
	for i := 0; i < n && len(out) < limit; i++ {
		// The newest is just before next (or last while not yet full).
		idx := (rg.next - 1 - i + 2*n) % n
		out = append(out, rg.items[idx])
	}
	return out
}

// Runs returns the recent runs of an action on this server instance,
// newest first, at most limit (default and maximum MaxRuns). It needs the
// design right on the action: logs and inputs' errors are for its authors.
func (s *Service) Runs(ctx context.Context, p *auth.Principal, app, key string, limit int) ([]RunRecord, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAction, Key: key}, access.Design); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxRuns {
		limit = MaxRuns
	}
	return s.runs.recent(app, key, limit), nil
}
