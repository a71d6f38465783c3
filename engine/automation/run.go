package automation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Run statuses.
const (
	RunPending = "pending" // created, not started
	RunRunning = "running" // claimed by a runner (due is its lease's end)
	RunWaiting = "waiting" // paused by flow.wait until due
	RunRetry   = "retry"   // an action failed; tried again at due
	RunDone    = "done"    // every action ran
	RunSkipped = "skipped" // the condition did not hold
	RunDead    = "dead"    // an action failed MaxAttempts times: in the dead-letter list
)

// Step result statuses.
const (
	StepOK     = "ok"
	StepFailed = "failed"
)

// Run is one execution of one automation for one event or one occurrence
// (of one record): the run log entry, the unit a runner claims, and where
// each action's result and idempotency key are kept.
//
// Stored fields: _id, app, automation, version, trigger (type), event and
// eventType (for runs of events), occurrence (for scheduled runs), form,
// record, actor, data (the event's payload), status, due (when a runner
// may take it: set while pending, running (the lease's end), waiting or
// retrying, unset once finished), holder, pc (the next instruction),
// attempts (failures of the current action), steps (results by action
// id), variants (A/B assignments by split id), error, createdAt,
// updatedAt, finishedAt, rev (every update names it).
type Run struct {
	ID         string                `json:"id"`
	App        string                `json:"app"`
	Automation string                `json:"automation"`
	Version    int                   `json:"version"`
	Trigger    string                `json:"trigger"`
	Event      string                `json:"event,omitempty"`
	EventType  string                `json:"eventType,omitempty"`
	Occurrence string                `json:"occurrence,omitempty"`
	Form       string                `json:"form,omitempty"`
	Record     string                `json:"record,omitempty"`
	Actor      string                `json:"actor,omitempty"`
	Data       map[string]any        `json:"data,omitempty"`
	Status     string                `json:"status"`
	Due        string                `json:"due,omitempty"`
	Holder     string                `json:"holder,omitempty"`
	PC         int                   `json:"pc"`
	Attempts   int                   `json:"attempts"`
	Steps      map[string]StepResult `json:"steps"`
	Variants   map[string]string     `json:"variants,omitempty"`
	Error      *RunError             `json:"error,omitempty"`
	CreatedAt  string                `json:"createdAt"`
	UpdatedAt  string                `json:"updatedAt,omitempty"`
	FinishedAt string                `json:"finishedAt,omitempty"`
	Rev        int64                 `json:"rev"`
}

// StepResult is what one action did. Key is its idempotency key, handed
// to whatever it called (ledger entries, messages, HTTP requests).
type StepResult struct {
	Status   string    `json:"status"`
	Type     string    `json:"type"`
	Key      string    `json:"key"`
	At       string    `json:"at"`
	Output   any       `json:"output,omitempty"`
	Error    *RunError `json:"error,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
}

// RunError is a failure as the run log shows it.
type RunError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Step    string `json:"step,omitempty"`
	At      string `json:"at"`
}

// Fields of run documents for filters and sorts.
var (
	fID         = query.Field{Path: "_id", Kind: query.KindString}
	fApp        = query.Field{Path: "app", Kind: query.KindString}
	fAutomation = query.Field{Path: "automation", Kind: query.KindString}
	fStatus     = query.Field{Path: "status", Kind: query.KindString}
	fRecord     = query.Field{Path: "record", Kind: query.KindString}
	fDue        = query.Field{Path: "due", Kind: query.KindTime}
	fRev        = query.Field{Path: "rev", Kind: query.KindInt}
	fHolder     = query.Field{Path: "holder", Kind: query.KindString}
	fAvailable  = query.Field{Path: "availableAt", Kind: query.KindTime}
)

// decodeRun reads a stored run. The document went through JSON on its way
// in, so a JSON round trip is the faithful way back.
func decodeRun(doc store.Doc) (*Run, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var r Run
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&r); err != nil {
		return nil, err
	}
	r.ID, _ = doc["_id"].(string)
	if r.Steps == nil {
		r.Steps = map[string]StepResult{}
	}
	return &r, nil
}

// runID names the run of automation key for an event, or for a record in
// an occurrence: deterministic, so the same run can never be created
// twice. Long names are hashed: step keys (run id/step id) must fit the
// ledger's 200-byte idempotency keys.
func runID(source, key string) string {
	id := source + "~" + key
	if len(id) <= 120 {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "r" + hex.EncodeToString(sum[:16])
}

// stepKey is the idempotency key of one action of one run.
func stepKey(run, step string) string { return run + "/" + step }

// revCond is the condition of every update of a run: nobody else changed
// it since it was read.
func revCond(rev int64) *query.Node { return query.Eq(fRev, query.Int(rev)) }

func itoa(i int) string { return strconv.Itoa(i) }
