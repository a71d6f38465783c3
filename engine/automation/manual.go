package automation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/store"
)

// ManualRequest picks the records of a manual trigger: ids (a record's
// button, a hand-made selection), or a view of the form with an optional
// filter (a list's "all matching").
type ManualRequest struct {
	Records []string        `json:"records,omitempty"`
	View    string          `json:"view,omitempty"`
	Filter  json.RawMessage `json:"filter,omitempty"`
	// Input is handed to the runs as "$payload".
	Input map[string]any `json:"input,omitempty"`
}

// ManualResult says how many runs were asked for.
type ManualResult struct {
	Events int `json:"events"`
}

// Trigger runs a manual automation for records p picked: p needs the run
// right on the automation (403) and must be able to read each record (422
// naming the first that is missing or out of p's scope); a selection
// larger than the trigger's maxRecords is refused (422). One event per
// record is written in one transaction: all or nothing.
func (s *Service) Trigger(ctx context.Context, p *auth.Principal, app, key string, req ManualRequest) (ManualResult, error) {
	lang := form.LangOf(ctx)
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAutomation, Key: key}, access.Run); err != nil {
		return ManualResult{}, err
	}
	a, err := s.cat.published(ctx, app, key)
	if errs.ClassOf(err) == errs.NotFound {
		return ManualResult{}, coded(lang, errs.NotFound, "automation.not_found", key)
	}
	if err != nil {
		return ManualResult{}, err
	}
	t, ok := a.Trigger.(*manualTrigger)
	if !ok {
		return ManualResult{}, coded(lang, errs.Conflict, "automation.not_manual", key)
	}
	if !a.Enabled {
		return ManualResult{}, coded(lang, errs.Conflict, "automation.disabled", key)
	}
	if (len(req.Records) == 0) == (req.View == "") {
		return ManualResult{}, fieldProblem(lang, errs.Unprocessable, "records", "automation.manual_target")
	}
	ids, err := s.pick(ctx, p, app, t, req, lang)
	if err != nil {
		return ManualResult{}, err
	}
	now := s.now()
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		for _, id := range ids {
			if _, err := outbox.Write(ctx, tx, outbox.Event{Type: EventManual, App: app, Form: t.form, Record: id, Actor: p.Actor(), At: now,
				Data: map[string]any{"automation": key, "payload": req.Input}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ManualResult{}, err
	}
	return ManualResult{Events: len(ids)}, nil
}

// pick resolves the request's records as p sees them.
func (s *Service) pick(ctx context.Context, p *auth.Principal, app string, t *manualTrigger, req ManualRequest, lang string) ([]string, error) {
	if len(req.Records) > t.maxRecords {
		return nil, fieldProblem(lang, errs.Unprocessable, "records", "automation.too_many_records", t.maxRecords)
	}
	if len(req.Records) > 0 {
		seen := map[string]bool{}
		var ids []string
		for i, id := range req.Records {
			if _, err := s.records.Get(ctx, p, app, t.form, id); err != nil {
				if errs.ClassOf(err) == errs.NotFound || errs.ClassOf(err) == errs.Invalid {
					return nil, fieldProblem(lang, errs.Unprocessable, fmt.Sprintf("records[%d]", i), "automation.record_not_found", id)
				}
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return ids, nil
	}
	var ids []string
	q := form.ListQuery{View: req.View, Filter: req.Filter, Limit: form.MaxPageSize}
	for {
		page, err := s.records.List(ctx, p, app, t.form, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			id, _ := d[form.SysID].(string)
			ids = append(ids, id)
		}
		if len(ids) > t.maxRecords {
			return nil, fieldProblem(lang, errs.Unprocessable, "view", "automation.too_many_records", t.maxRecords)
		}
		if page.Next == "" {
			return ids, nil
		}
		q.Cursor = page.Next
	}
}
