package automation

import (
	"context"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// A test run shows a designer what an automation would do for one record
// without doing it: the condition is evaluated, and every action the run
// would reach runs for real — through the same code, with the same
// variables — inside one store transaction that is then rolled back, so
// record writes, ledger posts, coupons, A/B assignments and the messages
// channels would deliver are all computed and none of them is kept (a
// message is read back before the rollback, rendered). A wait does not
// wait: it says until when it would, and the later actions run as of
// then. Actions whose effect is outside the store (an HTTP call, a
// workflow transition, which commits in its own transaction) are not
// made: the step says what would be called or fired.

// TestRequest picks what a test run runs: the record (by id, read with
// the caller's rights, or given whole as a hypothetical record) and the
// version of the automation ("draft" — the latest revision —,
// "published", or a version number).
type TestRequest struct {
	RecordID string         `json:"recordId,omitempty"`
	Record   map[string]any `json:"record,omitempty"`
	Version  string         `json:"version,omitempty"`
	// Payload is "$payload", as a webhook body or a manual trigger's input.
	Payload map[string]any `json:"payload,omitempty"`
}

// TestResult is a test run's report.
type TestResult struct {
	Automation string         `json:"automation"`
	Version    int            `json:"version"`
	Trigger    string         `json:"trigger"`
	Form       string         `json:"form,omitempty"`
	Record     map[string]any `json:"record,omitempty"`
	// Matched says the automation's condition holds for the record; when
	// it does not, a real run would stop there and every step is skipped.
	Matched bool       `json:"matched"`
	Steps   []TestStep `json:"steps"`
	// Failed names the step that failed (later steps are skipped).
	Failed string `json:"failed,omitempty"`
}

// TestStep is one action's part in a test run, in the order of the spec
// (nested blocks after their branch or split).
type TestStep struct {
	Step string `json:"step"`
	Kind string `json:"kind"`
	// Path is where the step sits in the spec ("actions[1].then[0]").
	Path   string    `json:"path"`
	Result any       `json:"result,omitempty"`
	Error  *RunError `json:"error,omitempty"`
	// Skipped steps did not run: Reason says why (condition, not_chosen,
	// after_error, outside — the call or transition it would make is the
	// result).
	Skipped bool   `json:"skipped,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Reasons a test step was skipped.
const (
	SkipCondition  = "condition"
	SkipNotChosen  = "not_chosen"
	SkipAfterError = "after_error"
	SkipOutside    = "outside"
)

var testMessages = map[string][2]string{
	"automation.test_version": {"版本应为 draft、published 或版本号，收到 %q", "version is draft, published or a version number, not %q"},
	"automation.test_record":  {"该自动化针对表单 %q 的记录，请选择一条记录", "this automation is about records of the form %q: choose one"},
	"automation.test_target":  {"recordId 与 record 只能给出其一", "give recordId or record, not both"},
	"automation.test_missing": {"记录 %q 不存在或不可见", "the record %q does not exist or is not visible to you"},
}

// Test runs automation key of app for one record without keeping any
// effect (see above). p needs the design right on the automation.
func (s *Service) Test(ctx context.Context, p *auth.Principal, app, key string, req TestRequest) (*TestResult, error) {
	lang := form.LangOf(ctx)
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAutomation, Key: key}, access.Design); err != nil {
		return nil, err
	}
	a, err := s.testVersion(ctx, app, key, req.Version, lang)
	if err != nil {
		return nil, err
	}
	rec, err := s.testRecord(ctx, p, a, req, lang)
	if err != nil {
		return nil, err
	}
	now := s.now()
	res := &TestResult{Automation: key, Version: a.Version, Trigger: a.TriggerType, Record: rec}
	if a.Trigger != nil {
		res.Form = a.Trigger.Form()
	}
	if res.Matched, err = s.holds(ctx, a, rec, now); err != nil {
		return nil, err
	}
	if !res.Matched {
		res.Steps = skippedAll(a, SkipCondition)
		return res, nil
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	id, _ := rec[form.SysID].(string)
	r := &Run{ID: "test-" + store.NewID(), App: app, Automation: key, Version: a.Version, Trigger: a.TriggerType, EventType: EventManual,
		Form: res.Form, Record: id, Actor: p.Actor(), Data: map[string]any{"after": rec, "payload": req.Payload},
		Status: RunRunning, Steps: map[string]StepResult{}}
	ctx = form.WithEventDepth(ctx, 1)
	err = store.DryRun(ctx, s.st, func(tx store.Ops) error {
		res.Steps, res.Failed = s.dryRun(ctx, tx, r, a, rec, now)
		return nil
	})
	_ = s.records.EnsurePendingIndexes(ctx)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// testVersion compiles the version a test asks for.
func (s *Service) testVersion(ctx context.Context, app, key, which, lang string) (*Automation, error) {
	var d meta.Definition
	var err error
	switch which {
	case "", "published":
		d, err = s.meta.Published(ctx, app, meta.KindAutomation, key)
	case "draft":
		d, err = s.meta.Get(ctx, app, meta.KindAutomation, key)
	default:
		n, perr := strconv.Atoi(which)
		if perr != nil || n < 1 {
			m := i18n.Message(testMessages, lang, "automation.test_version", which)
			return nil, &errs.Error{Class: errs.Invalid, Code: "automation.test_version", Msg: m,
				Fields: []errs.FieldError{{Path: "version", Code: "automation.test_version", Message: m}}}
		}
		d, err = s.meta.GetVersion(ctx, app, meta.KindAutomation, key, n)
	}
	if err != nil {
		return nil, err
	}
	return compileDef(d)
}

// testRecord is the record a test runs for: read as p sees it, or the
// one given; none when the trigger is about no form.
func (s *Service) testRecord(ctx context.Context, p *auth.Principal, a *Automation, req TestRequest, lang string) (map[string]any, error) {
	problem := func(class errs.Class, path, code string, args ...any) error {
		m := i18n.Message(testMessages, lang, code, args...)
		return &errs.Error{Class: class, Code: code, Msg: m, Fields: []errs.FieldError{{Path: path, Code: code, Message: m}}}
	}
	formKey := ""
	if a.Trigger != nil {
		formKey = a.Trigger.Form()
	}
	switch {
	case req.RecordID != "" && req.Record != nil:
		return nil, problem(errs.Invalid, "record", "automation.test_target")
	case req.Record != nil:
		return req.Record, nil
	case req.RecordID != "":
		if formKey == "" {
			return nil, problem(errs.Invalid, "recordId", "automation.test_target")
		}
		doc, err := s.records.Get(ctx, p, a.App, formKey, req.RecordID)
		if c := errs.ClassOf(err); c == errs.NotFound || c == errs.Invalid {
			return nil, problem(errs.NotFound, "recordId", "automation.test_missing", req.RecordID)
		}
		return doc, err
	case formKey != "":
		return nil, problem(errs.Unprocessable, "recordId", "automation.test_record", formKey)
	}
	return map[string]any{}, nil
}

// dryRun walks the program as execute does, inside tx, and reports every
// step; failed is the step that failed, if one did.
func (s *Service) dryRun(ctx context.Context, tx store.Ops, r *Run, a *Automation, rec map[string]any, now time.Time) ([]TestStep, string) {
	x := s.newExec(r, a, rec, now)
	steps := x.vars["steps"].(map[string]any)
	byPC := map[int]*TestStep{}
	failed := ""
	for pc := a.follow(0); pc < len(a.program); pc = a.follow(pc) {
		in := &a.program[pc]
		st := &TestStep{Step: in.id, Kind: in.typ, Path: in.path}
		byPC[pc] = st
		x.at(in.id, tx)
		next := pc + 1
		var out any
		var err error
		switch act := in.action.(type) {
		case Waiter:
			var until time.Time
			if until, err = act.Until(ctx, x); err == nil {
				out = map[string]any{"wouldWaitUntil": query.FormatTime(until), "waitSeconds": int64(max(until.Sub(x.Now), 0) / time.Second)}
				if until.After(x.Now) {
					x.Now = until // the actions after it run then
				}
			}
		case Outside:
			st.Skipped, st.Reason = true, SkipOutside
			out = s.wouldDo(x, in.action)
		case Chooser:
			var b int
			b, out, err = act.Choose(ctx, x)
			next = in.end
			if b >= 0 && b < len(in.targets) {
				next = in.targets[b]
			}
		default:
			out, err = act.Run(ctx, x)
			if err == nil && in.typ == "message.send" {
				out = renderedMessages(ctx, tx, out)
			}
		}
		if err != nil {
			st.Error = runError(err, in.id, query.FormatTime(x.Now))
			failed = in.id
			break
		}
		st.Result = keepable(out)
		if !st.Skipped {
			steps[in.id] = st.Result
		}
		pc = next
	}
	var out []TestStep
	for pc := range a.program {
		in := &a.program[pc]
		if in.id == "" {
			continue
		}
		if st, ok := byPC[pc]; ok {
			out = append(out, *st)
			continue
		}
		reason := SkipNotChosen
		if failed != "" {
			reason = SkipAfterError
		}
		out = append(out, TestStep{Step: in.id, Kind: in.typ, Path: in.path, Skipped: true, Reason: reason})
	}
	return out, failed
}

// skippedAll lists every step as skipped for reason.
func skippedAll(a *Automation, reason string) []TestStep {
	var out []TestStep
	for _, in := range a.program {
		if in.id != "" {
			out = append(out, TestStep{Step: in.id, Kind: in.typ, Path: in.path, Skipped: true, Reason: reason})
		}
	}
	return out
}

// wouldDo says what an action outside the store would do, its settings
// expanded for this record.
func (s *Service) wouldDo(x *Exec, act Action) any {
	switch a := act.(type) {
	case *httpCall:
		out := map[string]any{"method": a.method, "url": x.ExpandString(a.url)}
		if a.body != nil {
			out["body"] = x.Expand(a.body)
		}
		return map[string]any{"wouldCall": out}
	case *workflowFire:
		formKey, id := targetOf(x, a.form, a.id)
		return map[string]any{"wouldFire": map[string]any{"trigger": a.trigger, "form": formKey, "record": id, "start": a.start}}
	}
	return nil
}

// renderedMessages adds the messages a message.send wrote (in the
// transaction about to roll back) to its output, as the channel would
// deliver them.
func renderedMessages(ctx context.Context, tx store.Ops, out any) any {
	m, ok := out.(map[string]any)
	if !ok {
		return out
	}
	ids, _ := m["ids"].([]any)
	var list []map[string]any
	for _, id := range ids {
		sid, _ := id.(string)
		doc, err := tx.Get(ctx, CollMessages, sid)
		if err != nil {
			continue
		}
		msg := map[string]any{}
		for _, k := range []string{"channel", "to", "subject", "text", "lang"} {
			if v, ok := doc[k]; ok && v != "" {
				msg[k] = v
			}
		}
		list = append(list, msg)
	}
	res := map[string]any{"channel": m["channel"], "messages": list}
	if sk, ok := m["skipped"]; ok {
		res["skipped"] = sk
	}
	return res
}
