package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
)

// AppEntry is one definition of an app the caller can use.
type AppEntry struct {
	Key    string          `json:"key"`
	Title  json.RawMessage `json:"title,omitempty"`
	Form   string          `json:"form,omitempty"`   // views and flows: the form they are of
	Rights []string        `json:"rights,omitempty"` // forms: the rights held
}

// AppRightsBody answers GET /api/apps/{app}/rights.
type AppRightsBody struct {
	App        string     `json:"app"`
	Admin      bool       `json:"admin"`
	Design     bool       `json:"design"`
	Forms      []AppEntry `json:"forms"`
	Views      []AppEntry `json:"views"`
	Reports    []AppEntry `json:"reports"`
	Dashboards []AppEntry `json:"dashboards"`
	Pages      []AppEntry `json:"pages"`
	Actions    []AppEntry `json:"actions"`
	Flows      []AppEntry `json:"flows"`
}

// usableBy is the right that makes a definition of a kind usable at run
// time: reading forms' records, views, reports, dashboards and pages,
// running actions, moving records through flows.
var usableBy = map[meta.Kind]access.Right{
	meta.KindView: access.Read, meta.KindReport: access.Read, meta.KindDashboard: access.Read,
	meta.KindPage: access.Read, meta.KindAction: access.Run, meta.KindFlow: access.Transition,
}

func (s *Server) appRights(c *fiber.Ctx) (*AppRightsBody, error) {
	ctx, p, app := c.UserContext(), principal(c), c.Params("app")
	if p == nil {
		return nil, access.ErrUnauthenticated
	}
	if !p.Admin && !holdsRoleIn(p.Roles, app) {
		return nil, access.ErrForbidden // nothing to list, and nothing said about the app
	}
	body := &AppRightsBody{App: app, Admin: p.Admin, Forms: []AppEntry{}, Views: []AppEntry{}, Reports: []AppEntry{},
		Dashboards: []AppEntry{}, Pages: []AppEntry{}, Actions: []AppEntry{}, Flows: []AppEntry{}}
	body.Design = s.deps.Guard.Check(ctx, p, appTarget(app), access.Design) == nil
	forms, err := s.publishedOf(ctx, app, meta.KindForm)
	if err != nil {
		return nil, err
	}
	readable := map[string]bool{}
	for _, f := range forms {
		ds, err := s.formDecisions(ctx, p, app, f.Key)
		if err != nil {
			return nil, err
		}
		if len(ds) == 0 {
			continue
		}
		e := entryOf(f)
		for _, r := range formRightKinds {
			if ds[r] != nil {
				e.Rights = append(e.Rights, string(r))
			}
		}
		readable[f.Key] = ds[access.Read] != nil
		body.Forms = append(body.Forms, e)
	}
	for kind, dst := range map[meta.Kind]*[]AppEntry{meta.KindView: &body.Views, meta.KindReport: &body.Reports,
		meta.KindDashboard: &body.Dashboards, meta.KindPage: &body.Pages, meta.KindAction: &body.Actions, meta.KindFlow: &body.Flows} {
		defs, err := s.publishedOf(ctx, app, kind)
		if err != nil {
			return nil, err
		}
		for _, d := range defs {
			e := entryOf(d)
			// A view lists records: it is of use only to readers of its form.
			if kind == meta.KindView && !readable[e.Form] {
				continue
			}
			if s.deps.Guard.Check(ctx, p, access.Target{App: app, Kind: kind, Key: d.Key}, usableBy[kind]) == nil {
				*dst = append(*dst, e)
			}
		}
	}
	if !body.Design && len(body.Forms)+len(body.Views)+len(body.Reports)+len(body.Dashboards)+len(body.Pages)+
		len(body.Actions)+len(body.Flows) == 0 {
		return nil, access.ErrForbidden
	}
	return body, nil
}

// holdsRoleIn reports whether any of the roles is of app.
func holdsRoleIn(roles []auth.RoleRef, app string) bool {
	for _, r := range roles {
		if r.App == app {
			return true
		}
	}
	return false
}

// entryOf reads a definition's title and, for views and flows, its form.
func entryOf(d meta.Definition) AppEntry {
	var spec struct {
		Title json.RawMessage `json:"title"`
		Form  string          `json:"form"`
	}
	_ = json.Unmarshal(d.Spec, &spec)
	e := AppEntry{Key: d.Key, Title: spec.Title}
	if d.Kind == meta.KindView || d.Kind == meta.KindFlow {
		e.Form = spec.Form
	}
	return e
}
