package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api"
	"github.com/tangram/tangram/templates"
	"github.com/tangram/tangram/templates/demo"
)

const templateUsage = `usage:
  tangram template list
  tangram template install NAME [-app crm] [-overwrite] [-dry-run] [-publish=false]
                                [-demo-members N] [-seed S] [-data DIR | -mongo URI]`

// Template runs `tangram template list` and `tangram template install`.
func Template(args []string) error {
	if len(args) == 0 {
		return errors.New(templateUsage)
	}
	switch args[0] {
	case "list":
		return listTemplates(os.Stdout)
	case "install":
		return installTemplate(args[1:], os.Stdout)
	}
	return errors.New(templateUsage)
}

// listTemplates prints each template's name, size and titles.
func listTemplates(w io.Writer) error {
	list, err := templates.List()
	if err != nil {
		return err
	}
	for _, t := range list {
		fmt.Fprintf(w, "%-14s %3d definitions  %s / %s\n", t.Name, t.Definitions, t.Title["zh-CN"], t.Title["en"])
	}
	return nil
}

// installTemplate installs a template straight into the store (no server
// needed; stop a server on the embedded store first, which holds its
// lock), then optionally fills the app with demo data.
func installTemplate(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("template install", flag.ContinueOnError)
	var cfg Config
	bindServe(fs, &cfg)
	var o templates.InstallOptions
	fs.StringVar(&o.App, "app", templates.DefaultApp, "the app to install into")
	fs.BoolVar(&o.Overwrite, "overwrite", false, "replace definitions the app changed since the template was installed")
	fs.BoolVar(&o.DryRun, "dry-run", false, "report what would be installed, write nothing")
	fs.BoolVar(&o.Publish, "publish", true, "publish the installed definitions")
	members := fs.Int("demo-members", 0, "then generate this many demo members with their stores, sales and coupons")
	seed := fs.Int64("seed", 1, "seed of the demo data (the same seed and size give the same data)")
	// The name may come before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" {
		return errors.New(templateUsage)
	}
	ctx := context.Background()
	svc, closeAll, err := openServices(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	if *members <= 0 {
		o.Rollups = svc.buildRollups // else once after the demo data
	}
	res, err := templates.Install(ctx, svc.Meta, name, o, "cli")
	if err != nil {
		return explain(err)
	}
	verb := "installed"
	if o.DryRun {
		verb = "would install"
	}
	fmt.Fprintf(w, "%s %s into app %q: %d created, %d updated, %d unchanged\n", verb, name, res.App,
		len(res.Created), len(res.Updated), len(res.Unchanged))
	if *members <= 0 || o.DryRun {
		return nil
	}
	if err := generateDemo(ctx, svc, res.App, *members, *seed, w); err != nil {
		return err
	}
	if !o.Publish {
		return nil
	}
	return svc.buildRollups(ctx, res.App)
}

// buildRollups builds the report rollups of app (those not yet ready), so
// dashboards read them from the start; the records write hook keeps them
// current after that.
func (s *services) buildRollups(ctx context.Context, app string) error {
	_, err := s.Reports.BuildRollups(ctx, auth.System().Principal, app)
	if err != nil {
		return fmt.Errorf("build report rollups of %s: %w", app, err)
	}
	return nil
}

// services are what installing and demo data need.
type services struct {
	*api.Services
	store  store.Store
	ledger *ledger.Ledger
}

// openServices opens the configured store and builds the engines over it
// (no HTTP server, no background runners).
func openServices(ctx context.Context, cfg Config) (*services, func(), error) {
	uri, err := cfg.StoreURI()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, uri, store.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	_, svc, err := api.Wire(ctx, st, api.WireOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DataDir: cfg.DataDir, SLAEvery: -1})
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	return &services{Services: svc, store: st, ledger: ledger.New(st, ledger.Options{})}, func() {
		svc.Close()
		_ = st.Close()
	}, nil
}

// generateDemo fills app with demo data, reporting progress every few
// seconds.
func generateDemo(ctx context.Context, svc *services, app string, members int, seed int64, w io.Writer) error {
	last := time.Now()
	progress := func(stage string, done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			last = time.Now()
			fmt.Fprintf(w, "  %s: %d/%d\n", stage, done, total)
		}
	}
	res, err := demo.Generate(ctx, demo.Deps{Store: svc.store, Meta: svc.Meta, Auth: svc.Auth, Records: svc.Records, Ledger: svc.ledger},
		app, demo.Options{Members: members, Seed: seed, Progress: progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "demo data in app %q: %d stores, %d members, %d transactions, %d coupons in %s\n",
		app, res.Stores, res.Members, res.Transactions, res.Coupons, res.Elapsed.Round(time.Millisecond))
	return nil
}

// installAtStart is `tangram serve -template NAME [-demo-members N]`: the
// template is installed (or found unchanged) before the server listens,
// and an app without stores gets demo data, so a newcomer sees the CRM
// with data at once. An app someone changed is left as it is.
func installAtStart(ctx context.Context, st store.Store, svc *api.Services, name string, members int, log *slog.Logger) error {
	res, err := templates.Install(ctx, svc.Meta, name, templates.InstallOptions{Publish: true}, "system")
	if errs.HasCode(err, templates.ErrConflict.Code) {
		log.Warn("template not reinstalled: the app has changed definitions", "template", name, "conflicts", len(res.Conflicts))
	} else if err != nil {
		return fmt.Errorf("install template %s: %w", name, explain(err))
	} else {
		log.Info("template installed", "template", name, "app", res.App, "created", len(res.Created), "unchanged", len(res.Unchanged))
	}
	s := &services{Services: svc, store: st, ledger: ledger.New(st, ledger.Options{})}
	if members > 0 {
		page, err := svc.Records.List(ctx, auth.System().Principal, templates.DefaultApp, "stores", form.ListQuery{Limit: 1})
		if err != nil {
			return err
		}
		if len(page.Items) == 0 { // an app with data keeps it
			log.Info("generating demo data", "members", members)
			if err := generateDemo(ctx, s, templates.DefaultApp, members, 1, os.Stderr); err != nil {
				return err
			}
		}
	}
	// Rollups last, after any demo data (see installTemplate). Ready ones
	// are left alone, so a restart on an installed app only reads the
	// registry; a failure leaves reports reading the records, still right.
	if err := s.buildRollups(ctx, templates.DefaultApp); err != nil {
		log.Warn("report rollups not built; reports read the records", "err", err.Error())
	}
	return nil
}
