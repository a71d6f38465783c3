package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/report"
)

// report.rfm scores every member of a form by recency, frequency and
// monetary value (engine/report ScoreRFM) and writes the scores, the
// segment and the segment's tag on each member; the run's result (counts
// by segment, the quintile cut points) is the step's output:
//
//	{"form": "members", "segments": "rfm-segments", "method": "quintiles", "tagField": "tags"}
//
// method "thresholds" scores from the bands of a decision table named by
// thresholds instead. The template's rfm-daily runs it at 02:30
// Asia/Shanghai on a schedule.cron trigger, so the schedule is edited like
// any automation's and one scheduler runs everything.
//
// It runs Outside a transaction: the scoring writes members in batches
// of its own under a lease, so two runners never score one form at once
// (the second gets report.rfm_running and retries later). A first day at
// a million members takes minutes, past the run's lease; the runner
// renews the run's lease while it scores (runOutside), so no other runner
// starts it again meanwhile. The action's key names the scoring run: a
// retry of a run that already finished returns the recorded result
// instead of scoring again.
type rfmScore struct {
	job report.RFMJob
}

// Outside marks the action as running outside the run's transaction.
func (a *rfmScore) Outside() {}

// Run scores the run's app.
func (a *rfmScore) Run(ctx context.Context, x *Exec) (any, error) {
	job := a.job
	job.RunKey = x.Key
	return x.Svc.rfmReports().ScoreRFM(ctx, x.Run.App, job, x.Lang)
}

// rfmReports is a report service over the engine's own store, definitions
// and clock: scoring keeps no state between runs, and the result caches
// of the server's report service see the new data version it writes.
func (s *Service) rfmReports() *report.Service {
	return report.New(report.Deps{Store: s.st, Meta: s.meta, Guard: s.guard, Records: s.records, Now: s.now})
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "report.rfm", Version: 1, Group: "report",
			Title: map[string]string{"zh-CN": "RFM 评分与分群标签", "en": "RFM scores and segment tags"},
			Config: json.RawMessage(`{"type":"object","required":["form","segments"],"additionalProperties":false,"properties":{` +
				`"form":{"type":"string","description":"the members form"},` +
				`"segments":{"type":"string","description":"decision table R, F, M → segment"},` +
				`"method":{"enum":["quintiles","thresholds"],"default":"quintiles"},` +
				`"thresholds":{"type":"string","description":"decision table of fixed bands (method thresholds)"},` +
				`"tagField":{"type":"string","description":"multiselect the segment is written to as a tag"},` +
				`"batch":{"type":"integer","minimum":1,"maximum":5000}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"form":"members","segments":"rfm-segments","method":"quintiles","tagField":"tags"}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var job report.RFMJob
			if err := decodeStrict(raw, &job); err != nil {
				return nil, configErrors(err)
			}
			return &rfmScore{job: job}, job.Check("")
		},
	})
	meta.AddCrossCheck(meta.KindAutomation, checkRFMSteps)
}

// checkRFMSteps checks each report.rfm step of an automation being saved
// against its app's definitions: the form and its fields, the tag field,
// the decision tables (engine/report CheckRFMJob).
func checkRFMSteps(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	a, fe := compileSpec(d.Spec)
	if len(fe) > 0 {
		return nil // reported by the definition's own check
	}
	var out []errs.FieldError
	for _, in := range a.program {
		if r, ok := in.action.(*rfmScore); ok {
			out = append(out, under("spec."+in.path+".config", report.CheckRFMJob(ctx, s, d.App, r.job, form.LangOf(ctx)))...)
		}
	}
	return out
}

// rfmMessages are the by-hand run's messages, zh-CN first.
var rfmMessages = map[string][2]string{
	"automation.not_rfm": {"自动化“%s”没有 RFM 评分步骤", "automation %q has no RFM scoring step"},
}

// ScoreRFMNow runs, by hand and at once, the RFM scoring step of app's
// published automation key (an admin who does not want to wait for the
// night, or who just changed the method): p needs the run right on the
// automation, as for a manual trigger. It scores with the step's settings
// under the same lease as the scheduled runs (409 report.rfm_running
// while one is under way) and returns what the run did.
func (s *Service) ScoreRFMNow(ctx context.Context, p *auth.Principal, app, key string) (*report.RFMResult, error) {
	lang := form.LangOf(ctx)
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAutomation, Key: key}, access.Run); err != nil {
		return nil, err
	}
	a, err := s.cat.published(ctx, app, key)
	if errs.ClassOf(err) == errs.NotFound {
		return nil, coded(lang, errs.NotFound, "automation.not_found", key)
	}
	if err != nil {
		return nil, err
	}
	for _, in := range a.program {
		if r, ok := in.action.(*rfmScore); ok {
			return s.rfmReports().ScoreRFM(ctx, app, r.job, lang)
		}
	}
	return nil, &errs.Error{Class: errs.Conflict, Code: "automation.not_rfm", Msg: i18n.Message(rfmMessages, lang, "automation.not_rfm", key)}
}
