package automation

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
)

// ProgressQuery selects the dispatched tasks whose progress HQ reads: by
// title, campaign and due date range; Form and StoreForm default to the
// CRM's store-tasks and stores.
type ProgressQuery struct {
	Form, StoreForm string
	Title, Campaign string
	DueFrom, DueTo  string // times (or dates) bounding dueAt
}

// Progress is the roll-up of dispatched tasks: totals, by region, by
// store. Overdue counts open tasks past their due time (and tasks marked
// overdue).
type Progress struct {
	Total    int64           `json:"total"`
	Done     int64           `json:"done"`
	Overdue  int64           `json:"overdue"`
	Percent  int64           `json:"percent"` // done / total, whole per cent
	ByRegion []ProgressGroup `json:"byRegion"`
	ByStore  []ProgressGroup `json:"byStore"`
}

// ProgressGroup is the roll-up of one region or store.
type ProgressGroup struct {
	Key     string `json:"key"` // region value, or store id
	Code    string `json:"code,omitempty"`
	Name    string `json:"name,omitempty"`
	Region  string `json:"region,omitempty"`
	Total   int64  `json:"total"`
	Done    int64  `json:"done"`
	Overdue int64  `json:"overdue"`
	Percent int64  `json:"percent"`
}

// Progress rolls up the task records p may read (row scopes apply: a
// region manager sees the region's stores), grouped in the database.
func (s *Service) Progress(ctx context.Context, p *auth.Principal, app string, q ProgressQuery) (*Progress, error) {
	if q.Form == "" {
		q.Form = "store-tasks"
	}
	if q.StoreForm == "" {
		q.StoreForm = "stores"
	}
	base := map[string]any{}
	if q.Title != "" {
		base["title"] = q.Title
	}
	if q.Campaign != "" {
		base["campaign"] = q.Campaign
	}
	due := map[string]any{}
	if q.DueFrom != "" {
		due["$gte"] = q.DueFrom
	}
	if q.DueTo != "" {
		due["$lte"] = q.DueTo
	}
	if len(due) > 0 {
		base["dueAt"] = due
	}
	agg := func(extra map[string]any) (map[string]map[string]int64, error) {
		f := map[string]any{}
		for k, v := range base {
			f[k] = v
		}
		for k, v := range extra {
			f[k] = v
		}
		spec, _ := json.Marshal(map[string]any{"filter": f, "limit": query.MaxAggLimit,
			"groupBy":  []any{map[string]any{"field": "store", "as": "store"}, map[string]any{"field": "status", "as": "status"}},
			"measures": []any{map[string]any{"op": "count", "as": "n"}}})
		rows, err := s.records.Aggregate(ctx, p, app, q.Form, spec)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string]int64{}
		for _, r := range rows {
			st, _ := r["store"].(string)
			status, _ := r["status"].(string)
			n, _ := query.ToInt(r["n"])
			if out[st] == nil {
				out[st] = map[string]int64{}
			}
			out[st][status] += n
		}
		return out, nil
	}
	all, err := agg(nil)
	if err != nil {
		return nil, progressErr(ctx, err)
	}
	late, err := agg(map[string]any{"status": map[string]any{"$nin": []any{"done", "overdue"}},
		"dueAt": mergeDue(due, "$lt", query.FormatTime(s.now()))})
	if err != nil {
		return nil, progressErr(ctx, err)
	}
	stores, err := s.storesByID(ctx, p, app, q.StoreForm, keysOf(all))
	if err != nil {
		return nil, err
	}
	res := &Progress{ByRegion: []ProgressGroup{}, ByStore: []ProgressGroup{}}
	regions := map[string]*ProgressGroup{}
	for id, byStatus := range all {
		g := ProgressGroup{Key: id}
		if st := stores[id]; st != nil {
			g.Code, _ = st["code"].(string)
			g.Name, _ = st["name"].(string)
			g.Region, _ = st["region"].(string)
		}
		for status, n := range byStatus {
			g.Total += n
			switch status {
			case "done":
				g.Done += n
			case "overdue":
				g.Overdue += n
			}
		}
		for _, n := range late[id] {
			g.Overdue += n
		}
		g.Percent = percent(g.Done, g.Total)
		res.ByStore = append(res.ByStore, g)
		r := regions[g.Region]
		if r == nil {
			r = &ProgressGroup{Key: g.Region}
			regions[g.Region] = r
		}
		r.Total, r.Done, r.Overdue = r.Total+g.Total, r.Done+g.Done, r.Overdue+g.Overdue
		res.Total, res.Done, res.Overdue = res.Total+g.Total, res.Done+g.Done, res.Overdue+g.Overdue
	}
	for _, r := range regions {
		r.Percent = percent(r.Done, r.Total)
		res.ByRegion = append(res.ByRegion, *r)
	}
	res.Percent = percent(res.Done, res.Total)
	sort.Slice(res.ByStore, func(i, j int) bool {
		a, b := res.ByStore[i], res.ByStore[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Code+a.Key < b.Code+b.Key
	})
	sort.Slice(res.ByRegion, func(i, j int) bool { return res.ByRegion[i].Key < res.ByRegion[j].Key })
	return res, nil
}

// storesByID reads the named stores p may read, 500 at a time.
func (s *Service) storesByID(ctx context.Context, p *auth.Principal, app, storeForm string, ids []string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		filter, _ := json.Marshal(map[string]any{"_id": map[string]any{"$in": toAnyList(ids[:n])}})
		page, err := s.records.List(ctx, p, app, storeForm, form.ListQuery{Filter: filter, Limit: n})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			id, _ := d[form.SysID].(string)
			out[id] = d
		}
		ids = ids[n:]
	}
	return out, nil
}

func mergeDue(due map[string]any, op string, v string) map[string]any {
	out := map[string]any{op: v}
	for k, x := range due {
		if k != op {
			out[k] = x
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func percent(done, total int64) int64 {
	if total == 0 {
		return 0
	}
	return done * 100 / total
}

// progressErr keeps a filter's coded problems (a bad date) as they are.
func progressErr(ctx context.Context, err error) error {
	if e, ok := errs.As(err); ok && (e.Class == errs.Invalid || e.Class == errs.Unprocessable) {
		return coded(form.LangOf(ctx), errs.Invalid, "automation.progress_bad_query", e.Msg)
	}
	return err
}
