package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api"
)

// Version is set at build time with -ldflags "-X .../server/cli.Version=...".
var Version = "dev"

// serverGCPercent is the server's GOGC unless the environment sets one:
// its live heap is small (caches and the requests in flight), so collecting
// at twice the default growth costs little memory and halves the collector's
// share of a checkout's CPU (6.4% to 3.5% in the session-4 profile).
const serverGCPercent = 200

func serverGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
}

// Serve runs `tangram serve`: open the store, build the HTTP server, serve
// until SIGINT/SIGTERM, then drain requests and close the store.
func Serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	bindServe(fs, &cfg)
	tmpl := fs.String("template", env("TANGRAM_TEMPLATE", ""), "install this template (e.g. crm-retail) into app crm at start (TANGRAM_TEMPLATE)")
	demoMembers := fs.Int("demo-members", envInt("TANGRAM_DEMO_MEMBERS", 0), "with -template: demo members for an app without data (TANGRAM_DEMO_MEMBERS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.Logger()
	serverGC()
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
	srv, svc, err := api.Wire(ctx, st, api.WireOptions{Log: log, Metrics: metrics, DataDir: cfg.DataDir,
		BodyLimit: cfg.BodyLimit, UploadLimit: cfg.UploadLimit, Version: Version})
	if err != nil {
		return err
	}
	defer svc.Close()
	as := svc.Auth
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
	if *tmpl != "" {
		if err := installAtStart(ctx, st, svc, *tmpl, *demoMembers, log); err != nil {
			return err
		}
	}
	go purgeSessions(ctx, as, log)

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
