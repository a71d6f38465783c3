package api

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/files"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/report"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/savedview"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/workflow"
)

// WireOptions tune the service graph Wire builds.
type WireOptions struct {
	Log       *slog.Logger
	Metrics   *Metrics
	Auth      auth.Config
	DataDir   string // uploaded files, unless the store keeps them itself
	BodyLimit int    // bytes; default DefaultBodyLimit
	Version   string // build version for /healthz and OpenAPI
	// SLAEvery is how often the workflow SLA runner ticks (default 30s;
	// negative: no runner, e.g. where a test ticks by hand).
	SLAEvery time.Duration
	// UploadLimit bounds import and upload bodies; 0: DefaultUploadLimit
	// or TANGRAM_UPLOAD_LIMIT.
	UploadLimit int64
	// Automation configures the automation engine and says whether this
	// process runs its runner; nil: from the environment
	// (automation.ConfigFromEnv).
	Automation *automation.Config
}

// Services are the engines behind a wired server.
type Services struct {
	Meta    *meta.Service
	Auth    *auth.Service
	Guard   *access.Guard
	Scripts *script.Engine
	Records *form.Records
	Actions *action.Service
	Files   *files.Service

	// Workflow is the workflow engine; Close stops its SLA runner.
	Workflow *workflow.Service
	// Reports runs reports and dashboards.
	Reports *report.Service
	// Automation is the automation engine; Close stops its runner.
	Automation *automation.Service

	stopSLA        context.CancelFunc
	stopAutomation context.CancelFunc
}

// Close releases what the services hold (the script engine). Call it after
// the server has stopped.
func (s *Services) Close() {
	if s.stopSLA != nil {
		s.stopSLA()
	}
	if s.stopAutomation != nil {
		s.stopAutomation()
	}
	s.Scripts.Close()
}

// Wire initializes the metadata and identity services on st, builds every
// engine over them and the HTTP server that serves them. The caller
// bootstraps the admin (Services.Auth.EnsureAdmin), serves, and calls
// Services.Close once the server has stopped.
func Wire(ctx context.Context, st store.Store, o WireOptions) (*Server, *Services, error) {
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		return nil, nil, fmt.Errorf("init metadata: %w", err)
	}
	as := auth.New(st, o.Auth)
	if err := as.Init(ctx); err != nil {
		return nil, nil, fmt.Errorf("init identity: %w", err)
	}
	guard := access.NewGuard(ms)
	// Coded failures thrown by action scripts speak the caller's language.
	scripts := script.New(script.Options{Lang: form.LangOf})
	records := form.NewRecords(st, ms, guard, as.Audit, scripts)
	blobs, err := files.BlobsFor(st, o.DataDir)
	if err != nil {
		scripts.Close()
		return nil, nil, fmt.Errorf("open file storage: %w", err)
	}
	actions := action.New(action.Deps{Store: st, Meta: ms, Guard: guard, Records: records, Scripts: scripts,
		Ledger: ledger.New(st, ledger.Options{}), Rules: rules.New(ms), Audit: as.Audit})
	ledger.SetExpireHook(st, actions.OnLedgerExpire) // an app's ledger-expired action follows expiries (CRM points mirror)
	fs := files.New(st, records, blobs)
	wf := workflow.New(workflow.Deps{Store: st, Meta: ms, Auth: as, Guard: guard, Records: records, Scripts: scripts,
		Actions: actions, Audit: as.Audit, Log: o.Log})
	// Files attached to workflow comments are read through their record's
	// workflow, not through a record field.
	fs.AddReader(wf.AttachmentReadable)
	if err := wf.Init(ctx); err != nil {
		scripts.Close()
		return nil, nil, fmt.Errorf("init workflow: %w", err)
	}
	reports := report.New(report.Deps{Store: st, Meta: ms, Guard: guard, Records: records, Audit: as.Audit})
	// Every record write keeps the report rollups current in its own
	// transaction; only then may reports build and read rollups.
	records.SetWriteHook(reports.Hook())
	au, stopAutomation, err := wireAutomation(ctx, o, automation.Deps{Store: st, Meta: ms, Auth: as, Guard: guard, Records: records,
		Ledger: ledger.New(st, ledger.Options{}), Rules: rules.New(ms), Actions: actions, Workflow: wf})
	if err != nil {
		scripts.Close()
		return nil, nil, err
	}
	views := savedview.New(st)
	if err := views.Init(ctx); err != nil {
		stopAutomation()
		scripts.Close()
		return nil, nil, fmt.Errorf("init saved views: %w", err)
	}
	srv := New(Deps{Store: st, Meta: ms, Auth: as, Guard: guard, Records: records, Actions: actions, Log: o.Log, Metrics: o.Metrics,
		Files: fs, Workflow: wf, Reports: reports, Automation: au, BodyLimit: o.BodyLimit, Version: o.Version, SavedViews: views,
		UploadLimit: o.UploadLimit, SpoolDir: o.DataDir})
	svc := &Services{Meta: ms, Auth: as, Guard: guard, Scripts: scripts, Records: records, Actions: actions, Files: fs, Workflow: wf, Reports: reports,
		Automation: au, stopAutomation: stopAutomation}
	// The RFM scores the RFM reports read are refreshed by an automation
	// (report.rfm, the template's rfm-daily), not by a loop of their own.
	if o.SLAEvery >= 0 {
		every := o.SLAEvery
		if every == 0 {
			every = 30 * time.Second
		}
		var slaCtx context.Context
		slaCtx, svc.stopSLA = context.WithCancel(context.WithoutCancel(ctx))
		go wf.Run(slaCtx, every)
	}
	return srv, svc, nil
}
