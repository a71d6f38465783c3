package api

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/savedview"
	"github.com/tangram/tangram/server/openapi"
)

// The saved views routes: each user's own list views of a form (engine/
// savedview). Every route needs the read right on the form (403) and a
// published form (404), as listing its records does; a view's filter, sort
// and search are checked by the records list itself, so a view never holds
// what the list would refuse (422 with the failing path).

const savedViewsBase = "/api/apps/:app/forms/:form/saved-views"

// SavedViewBody is a saved view as the API shows it: mine tells the
// caller's own views from those others shared.
type SavedViewBody struct {
	savedview.View
	Mine bool `json:"mine"`
}

func registerSavedViewComponents(sp *openapi.Spec) {
	content := openapi.Schema{
		"name":      openapi.Schema{"type": "string", "minLength": 1, "maxLength": savedview.MaxName},
		"filter":    openapi.Schema{"type": "object", "description": "a filter in the query language, checked as the records list checks it"},
		"sort":      openapi.Schema{"type": "string", "maxLength": savedview.MaxSort, "description": "e.g. name,-_createdAt"},
		"columns":   openapi.Schema{"type": "array", "maxItems": savedview.MaxColumns, "items": openapi.Schema{"type": "string"}},
		"mode":      openapi.Schema{"type": "string", "enum": []string{savedview.ModeTable, savedview.ModeKanban, savedview.ModeCalendar}},
		"groupBy":   openapi.Schema{"type": "string", "description": "kanban: the field grouped by"},
		"dateField": openapi.Schema{"type": "string", "description": "calendar: the date field"},
		"search":    openapi.Schema{"type": "string", "maxLength": savedview.MaxSearch},
		"shared":    openapi.Schema{"type": "boolean", "description": "visible to every reader of the form; only the owner (or an administrator) changes it"},
		"state":     openapi.Schema{"description": "the client's own state of the view (at most 16 KiB), kept as sent"},
	}
	sp.Component("SavedViewInput", openapi.Schema{"type": "object", "required": []string{"name"}, "additionalProperties": false,
		"properties": content})
	view := openapi.Schema{
		"id": openapi.Schema{"type": "string"}, "app": openapi.Schema{"type": "string"}, "form": openapi.Schema{"type": "string"},
		"owner": openapi.Schema{"type": "string"}, "mine": openapi.Schema{"type": "boolean"},
		"version":   openapi.Schema{"type": "integer", "description": "the ETag; send it back in If-Match"},
		"createdAt": openapi.Schema{"type": "string", "format": "date-time"}, "updatedAt": openapi.Schema{"type": "string", "format": "date-time"},
	}
	for k, v := range content {
		view[k] = v
	}
	sp.Component("SavedView", openapi.Schema{"type": "object", "properties": view})
}

func (s *Server) savedViewRoutes(r *Router) {
	if s.deps.SavedViews == nil {
		return
	}
	registerSavedViewComponents(s.Spec)
	sv := s.deps.SavedViews
	item := savedViewsBase + "/:id"
	ifm := openapi.Param{Name: "If-Match", In: "header", Description: "the version the change is based on; optional, a stale one is 412 savedview.stale"}
	r.Handle(openapi.Operation{Method: "GET", Path: savedViewsBase, ID: "listSavedViews", Tag: "records",
		Summary: "The caller's saved views of a form, then those others shared", Params: []openapi.Param{langParam},
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{"items": openapi.Schema{"type": "array", "items": openapi.Ref("SavedView")}}},
		Errors:   []int{404},
	}, func(c *fiber.Ctx) error {
		v, err := s.savedViewer(c)
		if err != nil {
			return err
		}
		views, err := sv.List(c.UserContext(), c.Params("app"), c.Params("form"), v)
		if err != nil {
			return err
		}
		out := make([]SavedViewBody, len(views))
		for i, x := range views {
			out[i] = SavedViewBody{View: x, Mine: x.Owner == v.Owner}
		}
		return c.JSON(fiber.Map{"items": out})
	})
	r.Handle(openapi.Operation{Method: "POST", Path: savedViewsBase, ID: "createSavedView", Tag: "records",
		Summary:     "Save a view of a form for the caller",
		Description: "At most 100 per user and form (422 savedview.too_many). The filter, sort and search are checked as the records list checks them.",
		Params:      []openapi.Param{langParam},
		Request:     openapi.Ref("SavedViewInput"), Response: openapi.Ref("SavedView"), Status: 201, Errors: []int{404, 413, 422},
	}, func(c *fiber.Ctx) error {
		v, in, err := s.savedViewInput(c)
		if err != nil {
			return err
		}
		x, err := sv.Create(c.UserContext(), c.Params("app"), c.Params("form"), v, in)
		if err != nil {
			return err
		}
		c.Location(c.Path() + "/" + x.ID)
		return sendSavedView(c, x, v, fiber.StatusCreated)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: item, ID: "getSavedView", Tag: "records",
		Summary: "A saved view: the caller's own or a shared one (404 for another user's private view)", Params: []openapi.Param{langParam},
		Response: openapi.Ref("SavedView"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		v, err := s.savedViewer(c)
		if err != nil {
			return err
		}
		x, err := sv.Get(c.UserContext(), c.Params("app"), c.Params("form"), c.Params("id"), v)
		if err != nil {
			return err
		}
		return sendSavedView(c, x, v, fiber.StatusOK)
	})
	r.Handle(openapi.Operation{Method: "PUT", Path: item, ID: "replaceSavedView", Tag: "records",
		Summary:     "Replace a saved view (the owner's; an administrator may change a shared one)",
		Description: "Another user's private view is 404; another user's shared view is 403 savedview.not_owner.",
		Params:      []openapi.Param{ifm, langParam},
		Request:     openapi.Ref("SavedViewInput"), Response: openapi.Ref("SavedView"), Errors: []int{404, 412, 413, 422},
	}, func(c *fiber.Ctx) error {
		im, err := ifMatch(c)
		if err != nil {
			return err
		}
		v, in, err := s.savedViewInput(c)
		if err != nil {
			return err
		}
		x, err := sv.Update(c.UserContext(), c.Params("app"), c.Params("form"), c.Params("id"), v, in, int64(im))
		if err != nil {
			return err
		}
		return sendSavedView(c, x, v, fiber.StatusOK)
	})
	r.Handle(openapi.Operation{Method: "DELETE", Path: item, ID: "deleteSavedView", Tag: "records",
		Summary: "Delete a saved view (the owner's; an administrator may delete a shared one)", Params: []openapi.Param{langParam},
		Status: 204, Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		v, err := s.savedViewer(c)
		if err != nil {
			return err
		}
		if err := sv.Delete(c.UserContext(), c.Params("app"), c.Params("form"), c.Params("id"), v); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}

// savedViewer requires the read right on the form, then the published
// form, and names the caller as an owner of views.
func (s *Server) savedViewer(c *fiber.Ctx) (savedview.Viewer, error) {
	ctx, p, app, key := c.UserContext(), principal(c), c.Params("app"), c.Params("form")
	if err := s.deps.Guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindForm, Key: key}, access.Read); err != nil {
		return savedview.Viewer{}, err
	}
	if _, err := s.deps.Records.Form(ctx, app, key); err != nil {
		return savedview.Viewer{}, err
	}
	return savedview.Viewer{Owner: p.Actor(), Admin: p.Admin, Lang: requestLang(c)}, nil
}

// savedViewInput decodes and checks a view sent by the caller.
func (s *Server) savedViewInput(c *fiber.Ctx) (savedview.Viewer, savedview.Input, error) {
	var in savedview.Input
	v, err := s.savedViewer(c)
	if err != nil {
		return v, in, err
	}
	if err := decodeJSON(c, &in); err != nil {
		return v, in, err
	}
	if in, err = savedview.Check(in, v.Lang); err != nil {
		return v, in, err
	}
	return v, in, s.checkViewQuery(recordCtx(c), principal(c), c.Params("app"), c.Params("form"), in, v.Lang)
}

// checkViewQuery runs the view's filter, sort and search through the
// records list (one row asked for), which checks them against the form's
// fields, their operators and the caller's field rules exactly as it does
// for a list request; then the columns and layout fields must be fields.
// The list answers a bad query with 400; in a view it is content that
// fails validation, so 422, with the same code and paths.
func (s *Server) checkViewQuery(ctx context.Context, p *auth.Principal, app, key string, in savedview.Input, lang string) error {
	_, err := s.deps.Records.List(ctx, p, app, key, form.ListQuery{Filter: in.Filter, Sort: in.Sort, Search: in.Search, Limit: 1})
	if e, ok := errs.As(err); ok && e.Class == errs.Invalid {
		fe := append([]errs.FieldError(nil), e.Fields...)
		for i := range fe {
			if fe[i].Path == "q" {
				fe[i].Path = "search"
			}
		}
		return &errs.Error{Class: errs.Unprocessable, Code: e.Code, Msg: e.Msg, Fields: fe, Cause: e}
	}
	if err != nil {
		return err
	}
	f, err := s.deps.Records.Form(ctx, app, key)
	if err != nil {
		return err
	}
	return savedview.CheckFields(in, func(k string) bool {
		if _, ok := f.Field(k); ok {
			return true
		}
		_, ok := f.QFields[k]
		return ok && strings.HasPrefix(k, "_")
	}, lang)
}

func sendSavedView(c *fiber.Ctx, x savedview.View, v savedview.Viewer, status int) error {
	c.Set(fiber.HeaderETag, `"`+strconv.FormatInt(x.Version, 10)+`"`)
	return c.Status(status).JSON(SavedViewBody{View: x, Mine: x.Owner == v.Owner})
}
