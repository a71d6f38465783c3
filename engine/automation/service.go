package automation

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/workflow"
)

// Collections of the automation engine (exported for tests and tools
// that count what it wrote).
const (
	CollRuns        = "auto_runs"        // one per (event or occurrence record, automation)
	CollOccurrences = "auto_occurrences" // one per schedule occurrence: lease and scan cursor
	CollSchedules   = "auto_schedules"   // per automation: the last occurrence fully fired
	CollMessages    = "auto_messages"    // messages sent through channels
	CollAssignments = "auto_assignments" // A/B split assignments
)

var indexes = map[string][]store.Index{
	CollRuns: {
		{Name: "runs_due", Fields: []string{"due"}},
		{Name: "runs_status", Fields: []string{"app", "status"}},
		{Name: "runs_automation", Fields: []string{"app", "automation", "status"}},
		{Name: "runs_record", Fields: []string{"app", "record"}},
	},
	CollMessages: {
		{Name: "messages_due", Fields: []string{"due"}},
		{Name: "messages_app", Fields: []string{"app", "status"}},
		{Name: "messages_run", Fields: []string{"run"}},
	},
	CollOccurrences: {{Name: "occurrences_automation", Fields: []string{"app", "automation", "status"}}},
	CollAssignments: {{Name: "assignments_split", Fields: []string{"app", "automation", "split", "variant"}}},
}

// ActionRunner runs an app's action inside a caller's transaction;
// *action.Service is one.
type ActionRunner interface {
	Prepare(ctx context.Context) error
	RunIn(ctx context.Context, tx store.Ops, p *auth.Principal, app, key string, input any, lang string) (json.RawMessage, error)
}

// Workflows fires workflow transitions; *workflow.Service is one.
type Workflows interface {
	Fire(ctx context.Context, p *auth.Principal, app, formKey, id, trigger string, in workflow.Input) (*workflow.View, error)
	View(ctx context.Context, p *auth.Principal, app, formKey, id string) (*workflow.View, error)
}

// Deps are the services automations act through.
type Deps struct {
	Store    store.Store
	Meta     *meta.Service
	Auth     *auth.Service
	Guard    *access.Guard
	Records  *form.Records
	Ledger   *ledger.Ledger
	Rules    *rules.Service
	Actions  ActionRunner // nil: action.run and coupon.issue fail
	Workflow Workflows    // nil: workflow actions fail
	Log      *slog.Logger
	// Clock is the time of runs, schedules and leases; default time.Now.
	// Tests move it.
	Clock func() time.Time
}

// Options tune the runner. Zero values take the defaults.
type Options struct {
	// Every is how often an idle runner looks for work (default 1s); a
	// runner that found work looks again at once.
	Every time.Duration
	// Workers is how many runs one runner executes at once (default 16:
	// runs mostly wait for the store, and on the embedded store
	// concurrent transactions commit together).
	Workers int
	// Batch is how many events one dispatch and how many runs one claim
	// take (default 200).
	Batch int
	// LeaseTTL is how long a claimed run or an occurrence stays with its
	// runner without progress (default 30s).
	LeaseTTL time.Duration
	// Heartbeat is how often a runner renews the lease of a run whose
	// Outside action is still running (default LeaseTTL/3).
	Heartbeat time.Duration
	// CatchUp is how far back missed schedule occurrences are still fired
	// after downtime (default 24h); a trigger may set its own.
	CatchUp time.Duration
	// ScanPage is how many records one step of an occurrence's scan reads
	// (default 500).
	ScanPage int
	// Retention is how long dispatched events, finished runs and
	// delivered messages are kept (default 30 days; negative: forever).
	Retention time.Duration
	// HTTP governs the http.call action and the webhook channel.
	HTTP HTTPOptions
	// Channels are the configured message channels by name; "outbox" is
	// always there.
	Channels map[string]ChannelConfig
	// Holder names this runner in leases (default a new id).
	Holder string
}

// HTTPOptions are the limits of outgoing HTTP calls.
type HTTPOptions struct {
	// AllowPrivate lets calls reach loopback, private, link-local and
	// other non-public addresses (off by default: an automation must not
	// become a way into the internal network).
	AllowPrivate bool
}

func (o Options) withDefaults() Options {
	if o.Every <= 0 {
		o.Every = time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Batch <= 0 {
		o.Batch = 200
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = o.LeaseTTL / 3
	}
	if o.CatchUp <= 0 {
		o.CatchUp = 24 * time.Hour
	}
	if o.ScanPage <= 0 {
		o.ScanPage = 500
	}
	if o.Retention == 0 {
		o.Retention = 30 * 24 * time.Hour
	}
	if o.Holder == "" {
		o.Holder = store.NewID()
	}
	return o
}

// Service is the automation engine: catalog, runner, schedules, webhooks,
// manual triggers, message delivery and the admin reads. It is safe for
// concurrent use, and several services (in one process or several) may
// share a store.
type Service struct {
	st       store.Store
	meta     *meta.Service
	auth     *auth.Service
	guard    *access.Guard
	records  *form.Records
	ledger   *ledger.Ledger
	rules    *rules.Service
	actions  ActionRunner
	workflow Workflows
	log      *slog.Logger
	now      func() time.Time
	opt      Options

	cat      *catalog
	channels *channelSet
	httpc    *http.Client // http.call's: private addresses refused unless allowed
	indexed  sync.Map     // collection/index name -> struct{}: scan indexes ensured
	conds    sync.Map     // "app/key@version/formVersion" -> *query.Node
	lastGC   time.Time
	gcMu     sync.Mutex
}

// New returns the engine; call Init before use.
func New(d Deps, o Options) (*Service, error) {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	o = o.withDefaults()
	s := &Service{st: d.Store, meta: d.Meta, auth: d.Auth, guard: d.Guard, records: d.Records, ledger: d.Ledger,
		rules: d.Rules, actions: d.Actions, workflow: d.Workflow, log: d.Log, now: d.Clock, opt: o}
	s.cat = newCatalog(s)
	cs, err := openChannels(o.Channels)
	if err != nil {
		return nil, err
	}
	s.channels, s.httpc = cs, newHTTPClient(o.HTTP, MaxHTTPTimeout)
	return s, nil
}

// Init creates the indexes of the engine's collections and the outbox's.
func (s *Service) Init(ctx context.Context) error {
	for coll, idx := range indexes {
		if err := s.st.EnsureIndexes(ctx, coll, idx); err != nil {
			return err
		}
	}
	if s.ledger != nil {
		if err := s.ledger.Init(ctx); err != nil {
			return err
		}
	}
	return outbox.Init(ctx, s.st)
}

// Holder is the name this runner takes leases under.
func (s *Service) Holder() string { return s.opt.Holder }

func system() *auth.Principal { return auth.System().Principal }
