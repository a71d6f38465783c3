package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Writing: records through the records service in batches, ledger
// entries through the ledger, as the system principal.

// Form keys of the data contract.
const (
	formStores    = "stores"
	formMembers   = "members"
	formTxs       = "transactions"
	formTemplates = "coupon-templates"
	formCoupons   = "coupons"
)

// chunk is how many records one CreateMany call writes: one transaction,
// one durable commit, a few multi-row inserts.
const chunk = 1000

// writer writes one app's demo data.
type writer struct {
	d   Deps
	app string
	p   *auth.Principal
	// has is the app's fields ("form.field") with their types: fields
	// beyond the contract (members.homeUnit) are filled when present, and
	// list-like ones written as the type wants.
	has  map[string]string
	tags []string
	// ids of the records written so far that later records point at.
	storeIDs []string
	units    []string // the stores' org units
	tplIDs   []string
	ring     [referrerWindow]string // member ids by index modulo the window
}

func newWriter(ctx context.Context, d Deps, app string) (*writer, error) {
	w := &writer{d: d, app: app, p: auth.System().Principal, has: map[string]string{}}
	for _, key := range []string{formStores, formMembers, formTxs, formTemplates, formCoupons} {
		f, err := d.Records.Form(ctx, app, key)
		if err != nil {
			return nil, fmt.Errorf("demo: the app needs the published form %q of the CRM template: %w", key, err)
		}
		for _, fd := range f.Fields {
			w.has[key+"."+fd.Key] = fd.Type
			if key == formMembers && fd.Key == "tags" && fd.Type == "multiselect" {
				for _, o := range fd.Options {
					w.tags = append(w.tags, o.Value)
				}
			}
		}
	}
	f, _ := d.Records.Form(ctx, app, formStores)
	n, err := d.Store.Count(ctx, f.Coll, nil)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("demo: app %q already has stores; demo data goes into an app without data", app)
	}
	return w, nil
}

// tagOptions are the member tags the members form offers.
func (w *writer) tagOptions() []string { return w.tags }

// list renders values for a field the form may hold as a list or text.
func (w *writer) list(form, field string, vals []string) any {
	if w.has[form+"."+field] == "multiselect" {
		return vals
	}
	return strings.Join(vals, ",")
}

// createMany writes inputs as new records of form, chunk by chunk
// (Records.CreateMany: each chunk all or nothing, with every check of a
// single create), and returns the records in input order.
func (w *writer) createMany(ctx context.Context, formKey string, inputs []map[string]any) ([]store.Doc, error) {
	out := make([]store.Doc, 0, len(inputs))
	for lo := 0; lo < len(inputs); lo += chunk {
		docs, err := w.d.Records.CreateMany(ctx, w.p, w.app, formKey, inputs[lo:min(lo+chunk, len(inputs))], form.WriteOptions{Lang: "en"})
		if err != nil {
			return nil, fmt.Errorf("demo: create %s: %w", formKey, err)
		}
		out = append(out, docs...)
	}
	return out, nil
}

// stores creates the org tree (HQ → region → store) and the stores.
func (w *writer) stores(ctx context.Context, plans []storePlan, cal *calendar, progress func(string, int, int)) error {
	hq, err := w.unit(ctx, "hq", "总部", "hq", "")
	if err != nil {
		return err
	}
	regionUnit := map[string]string{}
	for _, g := range regions {
		if regionUnit[g.Key], err = w.unit(ctx, "region", g.Name+"区", g.Key, hq); err != nil {
			return err
		}
	}
	inputs := make([]map[string]any, len(plans))
	for i := range plans {
		s := &plans[i]
		if s.OrgUnit, err = w.unit(ctx, "store", s.Name, s.Code, regionUnit[s.Region]); err != nil {
			return err
		}
		inputs[i] = map[string]any{"code": s.Code, "name": s.Name, "province": s.Province, "city": s.City,
			"region": s.Region, "orgUnit": s.OrgUnit, "openedAt": cal.start.AddDate(0, 0, s.OpenedDay).Format("2006-01-02"),
			"status": "open"}
		progress(StageStores, i+1, len(plans))
	}
	docs, err := w.createMany(ctx, formStores, inputs)
	if err != nil {
		return err
	}
	for i, d := range docs {
		w.storeIDs = append(w.storeIDs, d[form.SysID].(string))
		w.units = append(w.units, plans[i].OrgUnit)
	}
	return nil
}

// unit creates an org unit whose code is "<app>-<code>", or finds the
// one a former run left.
func (w *writer) unit(ctx context.Context, kind, name, code, parent string) (string, error) {
	code = w.app + "-" + code
	u, err := w.d.Auth.CreateUnit(ctx, auth.System(), auth.UnitInput{Kind: kind, Name: name, Code: code, ParentID: parent})
	if err == nil {
		return u.ID, nil
	}
	if !errs.HasCode(err, auth.ErrUnitCodeExists.Code) {
		return "", fmt.Errorf("demo: org unit %s: %w", code, err)
	}
	docs, ferr := w.d.Store.Find(ctx, auth.CollUnits, store.Query{
		Filter: query.Eq(query.Field{Path: "code", Kind: query.KindString}, query.Str(code)), Limit: 1})
	if ferr != nil || len(docs) == 0 {
		return "", fmt.Errorf("demo: org unit %s: %w", code, err)
	}
	return docs[0][form.SysID].(string), nil
}

// couponTemplates creates the coupon-templates records.
func (w *writer) couponTemplates(ctx context.Context) error {
	inputs := make([]map[string]any, len(couponTemplates))
	for i, t := range couponTemplates {
		in := map[string]any{"name": t.Name, "type": t.Type, "minSpend": yuan(t.MinSpend), "stackable": t.Stackable,
			"validDays": t.ValidDays, "status": "active"}
		if t.Value > 0 {
			in["value"] = yuan(t.Value)
		}
		if t.Percent > 0 {
			in["percent"] = t.Percent
		}
		if t.PointsCost > 0 {
			in["pointsCost"] = t.PointsCost
		}
		if t.Category != "" {
			in["categories"] = w.list(formTemplates, "categories", []string{t.Category})
		}
		inputs[i] = in
	}
	docs, err := w.createMany(ctx, formTemplates, inputs)
	if err != nil {
		return err
	}
	for _, d := range docs {
		w.tplIDs = append(w.tplIDs, d[form.SysID].(string))
	}
	return nil
}

// counts of one batch.
type counts struct{ txs, coupons int }

// batch writes a batch of members, their sales, coupons and ledger
// entries.
func (w *writer) batch(ctx context.Context, batch []*memberPlan) (counts, error) {
	var c counts
	inputs := make([]map[string]any, len(batch))
	for i, m := range batch {
		inputs[i] = w.memberInput(m)
	}
	docs, err := w.createMany(ctx, formMembers, inputs)
	if err != nil {
		return c, err
	}
	ids := make([]string, len(batch))
	for i, d := range docs {
		ids[i] = d[form.SysID].(string)
		w.ring[batch[i].Index%referrerWindow] = ids[i]
	}
	var txs, coupons []map[string]any
	for i, m := range batch {
		for k := range m.Txs {
			txs = append(txs, w.txInput(ids[i], &m.Txs[k]))
		}
		for k := range m.Coupons {
			coupons = append(coupons, w.couponInput(ids[i], &m.Coupons[k]))
		}
	}
	// The sales, coupons and ledger entries of the batch only need the
	// members: written side by side, one batch's validation and encoding
	// overlap another's turn at the store's single writer.
	var tasks []func() error
	for _, part := range []struct {
		form   string
		inputs []map[string]any
	}{{formTxs, txs}, {formCoupons, coupons}} {
		for lo := 0; lo < len(part.inputs); lo += chunk {
			in := part.inputs[lo:min(lo+chunk, len(part.inputs))]
			tasks = append(tasks, func() error { _, err := w.createMany(ctx, part.form, in); return err })
		}
	}
	tasks = append(tasks, func() error { return w.post(ctx, batch, ids) })
	c.txs, c.coupons = len(txs), len(coupons)
	return c, parallel(writers, tasks)
}

// writers is how many writes of a batch run at once.
const writers = 3

// parallel runs tasks, n at a time, and returns the first error.
func parallel(n int, tasks []func() error) error {
	sem := make(chan struct{}, n)
	errc := make(chan error, len(tasks))
	var wg sync.WaitGroup
	for _, t := range tasks {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errc <- t()
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return nil
}

// post writes the members' opening ledger entries in one transaction.
func (w *writer) post(ctx context.Context, batch []*memberPlan, ids []string) error {
	return w.d.Store.Tx(ctx, func(tx store.Ops) error {
		for i, m := range batch {
			for _, p := range postings(w.app, ids[i], m) {
				if _, err := w.d.Ledger.Post(ctx, tx, p); err != nil {
					return fmt.Errorf("demo: ledger %s of member %s: %w", p.Key, m.Phone, err)
				}
			}
		}
		return nil
	})
}

// postings are a member's opening entries: the points earned (with the
// welcome gift) and spent, the stored value topped up and paid, each as
// one entry (zero amounts are not entries), so every balance equals the
// sum of the member's history. They carry no expiry: they stand for the
// balance the history left, as a migration would post it; the points the
// checkout earns from then on expire as the template says.
func postings(app, owner string, m *memberPlan) []ledger.Posting {
	key := "demo:" + m.CardNo + ":"
	meta := map[string]any{"sales": int64(m.Orders)}
	out := []ledger.Posting{{App: app, Owner: owner, Kind: KindPoints, Unit: ledger.UnitPoint, Amount: m.Welcome + m.Earned,
		Key: key + "points", Type: "opening", By: "system", Meta: map[string]any{"welcome": m.Welcome, "earned": m.Earned, "sales": int64(m.Orders)}}}
	add := func(kind string, unit ledger.Unit, amount int64, suffix, typ string) {
		if amount != 0 {
			out = append(out, ledger.Posting{App: app, Owner: owner, Kind: kind, Unit: unit, Amount: amount,
				Key: key + suffix, Type: typ, By: "system", Meta: meta})
		}
	}
	add(KindPoints, ledger.UnitPoint, -m.Spent, "points-spent", "redeem")
	add(KindSVPrincipal, ledger.UnitFen, m.PrincipalIn, "principal", "topup")
	add(KindSVPrincipal, ledger.UnitFen, -m.PrincipalOut, "principal-paid", "pay")
	add(KindSVBonus, ledger.UnitFen, m.BonusIn, "bonus", "topup")
	add(KindSVBonus, ledger.UnitFen, -m.BonusOut, "bonus-paid", "pay")
	return out
}

// seeded is a random stream of the seed; members use stream = index.
func seeded(seed int64, stream int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(stream)))
}
