package action

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// A test run shows a designer what an action would do without doing it.
// The draft (latest revision) or the published version runs through the
// same code as a real run — input schema, the caller's rights or the
// action's runAs role, the same host API, the output schema — inside one
// store transaction that is always rolled back, so the records it creates
// and updates, its ledger posts, outbox messages and history are computed
// and none is kept. It never speculates (the speculation's commit path is
// not what a designer tests) and stores no idempotency key. Failures of
// the script or its host calls are part of the report (with the line and
// column of a script error), not errors of the request: the designer
// wants the log and the writes up to the failure too.

// TestRequest is what a test run runs: the input (empty means {}) and
// the version, "draft" (the latest revision) or "published" (default).
type TestRequest struct {
	Input   json.RawMessage
	Version string
	Lang    string
}

// TestResult is a test run's report.
type TestResult struct {
	Action  string `json:"action"`
	Version int    `json:"version"`
	// Status is the status of the version that ran (draft, published).
	Status string `json:"status"`
	OK     bool   `json:"ok"`
	// Output is the script's return value (when OK).
	Output json.RawMessage `json:"output,omitempty"`
	Error  *TestError      `json:"error,omitempty"`
	Logs   []string        `json:"logs"`
	Writes TestWrites      `json:"writes"`
	// Ms is the run's wall time in milliseconds.
	Ms float64 `json:"ms"`
}

// TestError is the failure of a test run's script or of a host call.
type TestError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Errors  []errs.FieldError `json:"errors,omitempty"`
	// Line and Column place a script error in the action's script.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// testVersionMessages are the messages of a bad version.
var testVersionMessages = map[string][2]string{
	"action.test_version": {"版本应为 draft 或 published，收到 %q", "version is draft or published, not %q"},
}

// Test runs action key of app once as p would run it, keeps nothing and
// reports the output or error, the log and the writes (see above). p
// needs the design right on the action. Errors are those of the request:
// 403, 404 for an unknown action (or no published version), 400 for a
// bad version or malformed input, 422 action.input with every path.
func (s *Service) Test(ctx context.Context, p *auth.Principal, app, key string, req TestRequest) (*TestResult, error) {
	lang := req.Lang
	ctx = form.WithLang(ctx, lang)
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAction, Key: key}, access.Design); err != nil {
		return nil, err
	}
	def, err := s.testDefinition(ctx, app, key, req.Version, lang)
	if err != nil {
		return nil, err
	}
	a, err := compileAction(def)
	if err != nil {
		return nil, err
	}
	raw := req.Input
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	in, err := decodeJSON(raw)
	if err != nil {
		return nil, coded(lang, errs.Invalid, "action.malformed")
	}
	if err := validate(a.input, raw, in, lang, "action.input"); err != nil {
		return nil, err
	}
	if err := s.Prepare(ctx); err != nil {
		return nil, err
	}
	runner := p
	if a.runAs != "" {
		runner = runAs(p, a.app, a.runAs)
	}
	forms := s.formCollections(ctx, app)
	res := &TestResult{Action: key, Version: def.Version, Status: string(def.Status), Logs: []string{}}
	start := time.Now()
	var runErr error
	err = store.DryRun(ctx, s.st, func(tx store.Ops) error {
		// A retried transaction (MongoDB) starts over from nothing.
		rec := newWriteRecorder(tx, forms)
		out, logs, err := s.execute(ctx, rec, a, p, runner, in, Options{Lang: lang}, lang)
		res.Output, res.Logs, res.Writes, runErr = out, logs, rec.summary(), err
		return nil
	})
	res.Ms = float64(time.Since(start).Microseconds()) / 1000
	_ = s.records.EnsurePendingIndexes(ctx)
	if err != nil {
		return nil, err
	}
	if res.Logs == nil {
		res.Logs = []string{}
	}
	if runErr != nil {
		e, ok := errs.As(runErr)
		if !ok || e.Class == errs.Internal {
			return nil, runErr // the store failed, not the action
		}
		res.Output = nil
		res.Error = &TestError{Code: e.Code, Message: e.Msg, Errors: e.Fields}
		if pos, ok := script.PositionOf(runErr); ok {
			res.Error.Line, res.Error.Column = pos.Line, pos.Column
		}
		return res, nil
	}
	res.OK = true
	return res, nil
}

// testDefinition reads the version a test asks for.
func (s *Service) testDefinition(ctx context.Context, app, key, which, lang string) (meta.Definition, error) {
	switch which {
	case "", "published":
		return s.meta.Published(ctx, app, meta.KindAction, key)
	case "draft":
		return s.meta.Get(ctx, app, meta.KindAction, key)
	}
	m := i18n.Message(testVersionMessages, lang, "action.test_version", which)
	return meta.Definition{}, &errs.Error{Class: errs.Invalid, Code: "action.test_version", Msg: m,
		Fields: []errs.FieldError{{Path: "version", Code: "action.test_version", Message: m}}}
}

// formCollections maps the record collections of app's forms to the form
// keys, so the writes summary names forms rather than collections. A
// failure to list only leaves the summary with collection names.
func (s *Service) formCollections(ctx context.Context, app string) map[string]string {
	out := map[string]string{}
	defs, err := s.meta.List(ctx, app, meta.KindForm)
	if err != nil {
		return out
	}
	for _, d := range defs {
		out[form.RecordsCollection(app, d.Key)] = d.Key
		out[form.HistoryCollection(app, d.Key)] = "history:" + d.Key
	}
	return out
}
