// Package action runs actions: app-defined endpoints (meta kind "action")
// made of an input JSON Schema, a script and optionally an output schema.
// The retail CRM's POS checkout is one: it looks the member up, evaluates
// the points rules, posts points, redeems a coupon, debits stored value and
// writes the sale, all or nothing.
//
// A run checks the caller's "run" right on the action (an API key also
// needs the action in its scope), validates the input against the schema
// (every error with its JSON path), then runs the script inside ONE store
// transaction with a host API bound to that transaction: records (engine/
// form, through TxRecords), ledger posts (engine/ledger), decision tables
// (engine/rules), now(), ids.new() and log(). Whatever fails — a thrown
// error, a host error, the deadline, an output that breaks the output
// schema — rolls the whole transaction back, so a failed action leaves
// nothing behind. With an idempotency key the response is stored in that
// same transaction, and a retry replays it.
//
// The host API acts with the caller's rights (row scopes and field rules
// apply to every record read and write), or, when the action declares
// runAs, with the rights of that role of the app instead: an action can
// then write forms its callers may not touch directly, which is how a
// cashier's checkout writes the sales form while the cashier's own role
// only runs the action. The caller's identity is kept either way: history
// and audit name the caller, and $user.* in the role's row scopes are the
// caller's.
//
// On the embedded store every transaction goes through one writer. So
// that runs do not wait for each other's JavaScript there, a run first
// speculates (spec.go, speculate.go): its script runs outside the writer
// against committed data with its writes kept in memory, and the writer's
// turn only checks that what it read still holds and replays its writes,
// with exactly the outcome of a run inside the transaction. When that
// cannot be shown the script runs inside the writer's turn as before, so
// action scripts must still be short (the default deadline is 2 s, the
// maximum 10 s; a checkout takes well under a millisecond of script time).
package action

import (
	"encoding/json"
	"runtime"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// Deadlines of an action's script.
const (
	DefaultTimeout = 2 * time.Second
	MaxTimeout     = 10 * time.Second
)

// Deps are the services an action's host API reaches.
type Deps struct {
	Store   store.Store
	Meta    *meta.Service
	Guard   *access.Guard
	Records *form.Records
	Scripts *script.Engine
	Ledger  *ledger.Ledger
	Rules   *rules.Service
	Audit   *auth.AuditLog // nil: runs are not audited
	// Speculations is how many scripts run outside the writer at once
	// (speculate.go); default GOMAXPROCS. Scripts are CPU work: more than
	// the cores only share them, and need more pooled script runtimes
	// (script.Options.PoolSize, default twice the cores), which are
	// costly to build.
	Speculations int
	// Clock is what now() returns and what rules are evaluated at by
	// default; default time.Now. Tests inject a fixed clock.
	Clock func() time.Time
}

// Service runs actions. It is safe for concurrent use.
type Service struct {
	st      store.Store
	meta    *meta.Service
	guard   *access.Guard
	records *form.Records
	scripts *script.Engine
	ledger  *ledger.Ledger
	rules   *rules.Service
	audit   *auth.AuditLog
	now     func() time.Time

	defs sync.Map // "app/key" -> *compiled, the latest published version seen
	runs *runLog

	// speculate: scripts run outside the writer first (speculate.go).
	speculate bool
	// specAlways: every run speculates, however wasted (SetSpeculation).
	specAlways bool
	slots      chan struct{} // one per speculation under way
	workers    specWorkers   // their threads (spec_thread.go)
	spec       specStats
	// afterSpeculate, when set (tests), runs between a speculation and
	// its commit.
	afterSpeculate func()
}

// New returns the action service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Speculations <= 0 {
		d.Speculations = runtime.GOMAXPROCS(0)
	}
	// Speculation stays on by default on the embedded store, adaptively
	// (specHealth, speculate.go). Measured on 2 cores with the CRM
	// template's checkout over HTTP, 32 clients (docs/PERFORMANCE.md):
	// speculating every run cost 12.2 ms of CPU per checkout, because its
	// writes to the report rollups' shared cells make 96% of speculations
	// diverge and run again in the writer; inside the writer it cost 7.5
	// ms; adaptive 7.3 ms with the best throughput, since the checkout
	// backs off to the writer while actions that do not conflict keep
	// speculating (under load from other processes the simple action
	// benchmark ran 1,197-1,435/s so against 709-1,286/s in the writer).
	return &Service{st: d.Store, meta: d.Meta, guard: d.Guard, records: d.Records, scripts: d.Scripts,
		ledger: d.Ledger, rules: d.Rules, audit: d.Audit, now: d.Clock, runs: newRunLog(),
		speculate: d.Store != nil && d.Store.Backend() == "sqlite", slots: make(chan struct{}, d.Speculations)}
}

// Options are the request details of a run.
type Options struct {
	// IdempotencyKey makes the run safe to retry: the same key (for the
	// same caller and action) with the same input replays the first
	// response; with another input it is a 409 action.idempotency_mismatch.
	IdempotencyKey string
	// Lang is the language of error messages: "zh-CN" (default) or "en".
	Lang string
	// IP and RequestID go into the audit entries of the run's writes.
	IP, RequestID string
}

// Result is what a run answers.
type Result struct {
	// Output is the script's return value as JSON (null when it returned
	// nothing). It is the exact bytes stored for the idempotency key, so
	// a replay answers byte for byte what the first run answered.
	Output json.RawMessage
	// Logs are the lines the script wrote with log(...) (none on a replay).
	Logs []string
	// Replayed is set when the response is the stored one of an earlier
	// run with the same idempotency key.
	Replayed bool
}
