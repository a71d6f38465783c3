package api

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/server/openapi"
)

// The rights routes tell a client what the caller may do, from the same
// Guard decisions the engines enforce, so a UI shows only the buttons that
// will work instead of probing with requests it expects to be refused. Row
// scopes are reported by presence only: their filters can name the
// caller's units and other values a client has no need for.

// formRightKinds are the rights a role can give on a form, in display order.
var formRightKinds = []access.Right{access.Read, access.Create, access.Update, access.Delete,
	access.Export, access.Import, access.Design}

// formOperations maps what a client can do with a form's records to the
// rights the records service requires for it: every right of an entry's
// first list, and at least one of its second (when given).
var formOperations = map[string][2][]access.Right{
	"list":      {{access.Read}},
	"get":       {{access.Read}},
	"aggregate": {{access.Read}},
	"history":   {{access.Read}},
	"create":    {{access.Create}},
	"update":    {{access.Update}},
	"revert":    {{access.Update}}, // set a record back to an earlier revision
	"upload":    {nil, {access.Create, access.Update}},
	"delete":    {{access.Delete}},
	"restore":   {{access.Delete}}, // bring a deleted record back
	"trash":     {{access.Read, access.Delete}},
	"bulk":      {nil, {access.Create, access.Update, access.Delete}},
	"export":    {{access.Export, access.Read}},
	"import":    {{access.Import}, {access.Create, access.Update}},
	"migrate":   {{access.Design}},
}

// FieldRuleBody is one field's rule under a right.
type FieldRuleBody struct {
	Rule string `json:"rule"`
	Mask string `json:"mask,omitempty"`
}

// RightBody is a granted right: whether a row scope narrows it, and the
// fields it restricts.
type RightBody struct {
	Scoped bool                     `json:"scoped"`
	Fields map[string]FieldRuleBody `json:"fields,omitempty"`
}

// FlowRight is a workflow of the form the caller may move records through.
type FlowRight struct {
	Key   string          `json:"key"`
	Title json.RawMessage `json:"title,omitempty"`
}

// FormRightsBody answers GET .../forms/{form}/rights.
type FormRightsBody struct {
	App    string               `json:"app"`
	Form   string               `json:"form"`
	Admin  bool                 `json:"admin"`
	Rights map[string]RightBody `json:"rights"`
	Can    map[string]bool      `json:"can"`
	Flows  []FlowRight          `json:"flows"`
}

func ruleName(r access.Rule) string {
	switch r {
	case access.ReadOnly:
		return "readonly"
	case access.Masked:
		return "masked"
	case access.Hidden:
		return "hidden"
	}
	return "visible"
}

func registerRightsComponents(sp *openapi.Spec) {
	rightNames := make([]string, len(formRightKinds))
	for i, r := range formRightKinds {
		rightNames[i] = string(r)
	}
	sp.Component("RightGrant", openapi.Schema{
		"type": "object", "required": []string{"scoped"},
		"properties": openapi.Schema{
			"scoped": openapi.Schema{"type": "boolean", "description": "a row scope narrows the right to some records (the scope itself is not shown)"},
			"fields": openapi.Schema{"type": "object", "description": "fields the right restricts, by key",
				"additionalProperties": openapi.Schema{"type": "object", "required": []string{"rule"}, "properties": openapi.Schema{
					"rule": openapi.Schema{"type": "string", "enum": []string{"readonly", "masked", "hidden"}},
					"mask": openapi.Schema{"type": "string", "description": "for masked: leading*trailing characters kept, e.g. 3*4"},
				}}},
		},
	})
	ops := make([]string, 0, len(formOperations))
	for k := range formOperations {
		ops = append(ops, k)
	}
	sort.Strings(ops) // a stable document
	sp.Component("FormRights", openapi.Schema{
		"type": "object", "required": []string{"app", "form", "admin", "rights", "can", "flows"},
		"properties": openapi.Schema{
			"app":   openapi.Schema{"type": "string"},
			"form":  openapi.Schema{"type": "string"},
			"admin": openapi.Schema{"type": "boolean", "description": "a platform administrator: every right, no scope, no field rule"},
			"rights": openapi.Schema{"type": "object", "description": "the granted rights only, by name (" + strings.Join(rightNames, ", ") + ")",
				"additionalProperties": openapi.Ref("RightGrant")},
			"can": openapi.Schema{"type": "object", "description": "what the records routes will allow: " + strings.Join(ops, ", "),
				"additionalProperties": openapi.Schema{"type": "boolean"}},
			"flows": openapi.Schema{"type": "array", "description": "published workflows of the form the caller may move records through",
				"items": openapi.Schema{"type": "object", "properties": openapi.Schema{"key": openapi.Schema{"type": "string"}, "title": openapi.Schema{}}}},
		},
	})
	entry := openapi.Schema{"type": "object", "required": []string{"key"}, "properties": openapi.Schema{
		"key": openapi.Schema{"type": "string"}, "title": openapi.Schema{}, "form": openapi.Schema{"type": "string"},
		"rights": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string", "enum": rightNames}},
	}}
	list := openapi.Schema{"type": "array", "items": entry}
	sp.Component("AppRights", openapi.Schema{
		"type": "object", "required": []string{"app", "admin", "design", "forms", "views", "reports", "dashboards", "pages", "actions", "flows"},
		"properties": openapi.Schema{
			"app":        openapi.Schema{"type": "string"},
			"admin":      openapi.Schema{"type": "boolean"},
			"design":     openapi.Schema{"type": "boolean", "description": "may design the app (the builder)"},
			"forms":      list,
			"views":      list,
			"reports":    list,
			"dashboards": list,
			"pages":      list,
			"actions":    list,
			"flows":      list,
		},
	})
}

func (s *Server) rightsRoutes(r *Router) {
	registerRightsComponents(s.Spec)
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/forms/:form/rights", ID: "formRights", Tag: "records",
		Summary: "What the caller may do with a form's records",
		Description: "The granted rights with their row scope's presence and field rules, the record operations they allow, " +
			"and the form's workflows the caller may move records through. 403 when the caller holds no right on the form, " +
			"404 when it is not published (in that order, as on the records routes).",
		Params: []openapi.Param{langParam}, Response: openapi.Ref("FormRights"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		body, err := s.formRights(recordCtx(c), principal(c), c.Params("app"), c.Params("form"))
		if err != nil {
			return err
		}
		return c.JSON(body)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/rights", ID: "appRights", Tag: "records",
		Summary: "The forms, views, reports, dashboards, pages, actions and workflows of an app the caller can use",
		Description: "Published definitions only, each with its title (and for forms the rights held): what a menu should offer. " +
			"403 when the caller can use nothing in the app.",
		Response: openapi.Ref("AppRights"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		body, err := s.appRights(c)
		if err != nil {
			return err
		}
		return c.JSON(body)
	})
}

// formDecisions asks the Guard for every form right; denied rights are
// absent. A failure other than a refusal is returned.
func (s *Server) formDecisions(ctx context.Context, p *auth.Principal, app, key string) (map[access.Right]*access.Decision, error) {
	out := map[access.Right]*access.Decision{}
	for _, r := range formRightKinds {
		d, err := s.deps.Guard.Decide(ctx, p, access.Target{App: app, Kind: meta.KindForm, Key: key}, r)
		switch {
		case err == nil:
			out[r] = d
		case errs.ClassOf(err) != errs.Forbidden:
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) formRights(ctx context.Context, p *auth.Principal, app, key string) (*FormRightsBody, error) {
	if p == nil {
		return nil, access.ErrUnauthenticated
	}
	ds, err := s.formDecisions(ctx, p, app, key)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, access.ErrForbidden
	}
	f, err := s.deps.Records.Form(ctx, app, key)
	if err != nil {
		return nil, err
	}
	body := &FormRightsBody{App: app, Form: key, Admin: p.Admin, Rights: map[string]RightBody{}, Can: map[string]bool{}, Flows: []FlowRight{}}
	for r, d := range ds {
		body.Rights[string(r)] = rightBody(f, d)
	}
	for op, req := range formOperations {
		body.Can[op] = allows(ds, req)
	}
	flows, err := s.publishedOf(ctx, app, meta.KindFlow)
	if err != nil {
		return nil, err
	}
	for _, fl := range flows {
		var spec struct {
			Form  string          `json:"form"`
			Title json.RawMessage `json:"title"`
		}
		if json.Unmarshal(fl.Spec, &spec) != nil || spec.Form != key {
			continue
		}
		if s.deps.Guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindFlow, Key: fl.Key}, access.Transition) == nil {
			body.Flows = append(body.Flows, FlowRight{Key: fl.Key, Title: spec.Title})
		}
	}
	return body, nil
}

// rightBody reports a decision: the scope's presence and the rules of the
// form's fields it restricts.
func rightBody(f *form.Form, d *access.Decision) RightBody {
	rb := RightBody{Scoped: !d.All}
	for _, k := range d.Restricted() {
		if _, ok := f.Field(k); !ok {
			continue // a rule for a field the form no longer has
		}
		fr := d.Field(k)
		b := FieldRuleBody{Rule: ruleName(fr.Rule)}
		if fr.Rule == access.Masked {
			b.Mask = strconv.Itoa(fr.Mask.Head) + "*" + strconv.Itoa(fr.Mask.Tail)
		}
		if rb.Fields == nil {
			rb.Fields = map[string]FieldRuleBody{}
		}
		rb.Fields[k] = b
	}
	return rb
}

func allows(ds map[access.Right]*access.Decision, req [2][]access.Right) bool {
	for _, r := range req[0] {
		if ds[r] == nil {
			return false
		}
	}
	if len(req[1]) == 0 {
		return true
	}
	for _, r := range req[1] {
		if ds[r] != nil {
			return true
		}
	}
	return false
}

// publishedOf lists the published revisions of an app's definitions of a
// kind (a definition whose latest revision is a draft is listed with its
// published one; one never published is left out).
func (s *Server) publishedOf(ctx context.Context, app string, kind meta.Kind) ([]meta.Definition, error) {
	defs, err := s.deps.Meta.List(ctx, app, kind)
	if err != nil {
		return nil, err
	}
	out := defs[:0]
	for _, d := range defs {
		if d.Status != meta.StatusPublished {
			pd, err := s.deps.Meta.Published(ctx, app, kind, d.Key)
			if errs.ClassOf(err) == errs.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			d = pd
		}
		out = append(out, d)
	}
	return out, nil
}
