// Package demo generates deterministic demo data for the CRM templates:
// a chain of stores across China's regions with their org units, members
// with realistic names and phone numbers, two years of sales with weekly
// and seasonal peaks, coupons issued and redeemed, and points and stored
// value in the ledger matching all of it. Everything goes through the
// records service and the ledger, with the same validation, unique claims
// and history as any other write, in batches, so a million members and
// ten million sales stream through in bounded memory.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// Deps are the services the generator writes through.
type Deps struct {
	Store   store.Store
	Meta    *meta.Service
	Auth    *auth.Service
	Records *form.Records
	Ledger  *ledger.Ledger
}

// Options size and seed a generation.
type Options struct {
	// Members is how many members to generate (at least 1).
	Members int
	// Seed makes the data: the same seed, size, Months and Now give the
	// same data (record ids aside, which the store assigns).
	Seed int64
	// Months of sales history before Now (default 24).
	Months int
	// Now is the end of the history (zero: time.Now).
	Now time.Time
	// Progress, when set, is told how far each stage is.
	Progress func(stage string, done, total int)
}

// Result counts what was generated.
type Result struct {
	Stores, Members, Transactions, Coupons int
	Elapsed                                time.Duration
}

// Stages reported to Options.Progress.
const (
	StageStores  = "stores"
	StageMembers = "members"
)

// MaxMembers bounds one generation.
const MaxMembers = 10_000_000

// txPerMember is the average number of sales a member makes in 24 months.
const txPerMember = 10

// batchMembers is how many members are generated and written together:
// with their ~10 sales and ~2 coupons each, a few megabytes.
const batchMembers = 500

// Ledger kinds the generator posts: the data contract's points and
// stored value accounts, as the template's actions post them.
const (
	KindPoints      = "points"
	KindSVPrincipal = "sv-principal"
	KindSVBonus     = "sv-bonus"
)

// Generate fills app, which must have the CRM forms published (stores,
// members, transactions, coupon-templates, coupons) and no stores yet,
// with demo data. It writes as the system principal, so read-only
// mirrors (tier, points, balance, spend) are set to what the history
// says. On error what was written stays (the batches before it); the
// app is meant to be thrown away and installed again.
func Generate(ctx context.Context, d Deps, app string, o Options) (Result, error) {
	begin := time.Now()
	if o.Members < 1 || o.Members > MaxMembers {
		return Result{}, fmt.Errorf("demo: members must be between 1 and %d", MaxMembers)
	}
	if d.Store == nil || d.Meta == nil || d.Auth == nil || d.Records == nil || d.Ledger == nil {
		return Result{}, errors.New("demo: every dependency is required")
	}
	if o.Months <= 0 {
		o.Months = 24
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.Truncate(time.Millisecond)
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	w, err := newWriter(ctx, d, app)
	if err != nil {
		return Result{}, err
	}
	if err := d.Ledger.Init(ctx); err != nil {
		return Result{}, err
	}
	pol, err := loadPolicy(ctx, d.Meta, app)
	if err != nil {
		return Result{}, err
	}
	cal := newCalendar(o.Now, o.Months)
	stores := planStores(seeded(o.Seed, -1), storeCount(o.Members), cal.days)
	if err := w.stores(ctx, stores, cal, o.Progress); err != nil {
		return Result{}, err
	}
	if err := w.couponTemplates(ctx); err != nil {
		return Result{}, err
	}
	perMember := float64(txPerMember) * float64(o.Months) / 24
	g := newGenerator(o.Seed, o.Now, cal, stores, pol, w.tagOptions(), perMember)
	res := Result{Stores: len(stores)}
	err = stream(ctx, g, o.Members, func(batch []*memberPlan) error {
		n, err := w.batch(ctx, batch)
		res.Members += len(batch)
		res.Transactions += n.txs
		res.Coupons += n.coupons
		o.Progress(StageMembers, res.Members, o.Members)
		return err
	})
	res.Elapsed = time.Since(begin)
	return res, err
}

// stream generates members in batches on one goroutine while fn writes
// the previous batch on the caller's: generation is CPU, writing mostly
// the store's, and two batches in flight keep memory bounded.
func stream(ctx context.Context, g *generator, total int, fn func([]*memberPlan) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type item struct {
		batch []*memberPlan
		err   error
	}
	ch := make(chan item, 1)
	go func() {
		defer close(ch)
		for first := 0; first < total; first += batchMembers {
			batch := make([]*memberPlan, 0, min(batchMembers, total-first))
			var err error
			for i := first; i < first+cap(batch) && err == nil; i++ {
				var m *memberPlan
				if m, err = g.member(i, first); err == nil {
					batch = append(batch, m)
				}
			}
			select {
			case ch <- item{batch, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for it := range ch {
		if it.err != nil {
			return it.err
		}
		if err := fn(it.batch); err != nil {
			return err
		}
	}
	return ctx.Err()
}
