package api

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/files"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// WireOptions tune the service graph Wire builds.
type WireOptions struct {
	Log       *slog.Logger
	Metrics   *Metrics
	Auth      auth.Config
	DataDir   string // uploaded files, unless the store keeps them itself
	BodyLimit int    // bytes; default DefaultBodyLimit
	Version   string // build version for /healthz and OpenAPI
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
}

// Close releases what the services hold (the script engine). Call it after
// the server has stopped.
func (s *Services) Close() { s.Scripts.Close() }

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
	fs := files.New(st, records, blobs)
	srv := New(Deps{Store: st, Meta: ms, Auth: as, Guard: guard, Records: records, Actions: actions, Log: o.Log, Metrics: o.Metrics,
		Files: fs, BodyLimit: o.BodyLimit, Version: o.Version})
	return srv, &Services{Meta: ms, Auth: as, Guard: guard, Scripts: scripts, Records: records, Actions: actions, Files: fs}, nil
}
