package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	"github.com/tangram/tangram/server/api"
)

// Version is set at build time with -ldflags "-X .../server/cli.Version=...".
var Version = "dev"

// Serve runs `tangram serve`: open the store, build the HTTP server, serve
// until SIGINT/SIGTERM, then drain requests and close the store.
func Serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	bindServe(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.Logger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	uri, err := cfg.StoreURI()
	if err != nil {
		return err
	}
	metrics := api.NewMetrics()
	st, err := store.Open(ctx, uri, store.Options{Observer: metrics.StoreObserver()})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		return fmt.Errorf("init metadata: %w", err)
	}
	as := auth.New(st, auth.Config{})
	if err := as.Init(ctx); err != nil {
		return fmt.Errorf("init identity: %w", err)
	}
	created, generated, err := as.EnsureAdmin(ctx, os.Getenv("TANGRAM_ADMIN_PASSWORD"))
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if created && generated != "" {
		// Printed once, on the terminal only (never in the JSON log).
		fmt.Fprintf(os.Stderr, "\n  First start: created user \"admin\" with password %s\n  Change it after signing in.\n\n", generated)
	} else if created {
		log.Info("created admin user from TANGRAM_ADMIN_PASSWORD")
	}
	go purgeSessions(ctx, as, log)
	guard := access.NewGuard(ms)
	scripts := script.New(script.Options{})
	defer scripts.Close()
	records := form.NewRecords(st, ms, guard, as.Audit, scripts)
	blobs, err := files.BlobsFor(st, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("open file storage: %w", err)
	}
	actions := action.New(action.Deps{Store: st, Meta: ms, Guard: guard, Records: records, Scripts: scripts,
		Ledger: ledger.New(st, ledger.Options{}), Rules: rules.New(ms), Audit: as.Audit})
	srv := api.New(api.Deps{Store: st, Meta: ms, Auth: as, Guard: guard, Records: records, Actions: actions, Log: log, Metrics: metrics,
		Files: files.New(st, records, blobs), BodyLimit: cfg.BodyLimit, Version: Version})

	errc := make(chan error, 1)
	go func() { errc <- srv.App.Listen(cfg.Addr) }()
	log.Info("tangram started", "addr", cfg.Addr, "store", st.Backend(), "version", Version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	if err := srv.App.ShutdownWithTimeout(15 * time.Second); err != nil && !errors.Is(err, context.Canceled) {
		log.Warn("shutdown", "err", err.Error())
	}
	log.Info("stopped")
	return nil
}

// purgeSessions removes expired sessions every hour until ctx ends.
func purgeSessions(ctx context.Context, as *auth.Service, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := as.PurgeExpiredSessions(ctx); err != nil {
				log.Warn("purge sessions", "err", err.Error())
			} else if n > 0 {
				log.Info("purged expired sessions", "count", n)
			}
		}
	}
}
