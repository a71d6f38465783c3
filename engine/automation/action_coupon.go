package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
)

// coupon.issue issues a coupon to the run's member through the app's
// issue-coupons action (the CRM's; another action taking {template,
// members} may be named), in the run's transaction. The template is a
// coupon-templates record id, or found by its name (templates are data,
// so a shipped automation can only know them by name):
//
//	{"templateName": "生日礼券 满99减20"}
//	{"template": "$payload.template", "member": "$payload.member"}
type couponIssue struct {
	action, template, templateName, templateForm, member string
}

type couponConfig struct {
	Action       string `json:"action,omitempty"`
	Template     string `json:"template,omitempty"`
	TemplateName string `json:"templateName,omitempty"`
	TemplateForm string `json:"templateForm,omitempty"`
	Member       string `json:"member,omitempty"`
}

// Run finds the template and runs the issuing action.
func (a *couponIssue) Run(ctx context.Context, x *Exec) (any, error) {
	member := x.Run.Record
	if a.member != "" {
		member = x.ExpandString(a.member)
	}
	if member == "" {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.no_record")
	}
	tpl := x.ExpandString(a.template)
	if tpl == "" {
		name := x.ExpandString(a.templateName)
		filter, _ := json.Marshal(map[string]any{"name": name})
		page, err := x.Records().List(ctx, x.Principal(), x.Run.App, a.templateForm, form.ListQuery{Filter: filter, Limit: 1, Sort: "_id"})
		if err != nil {
			return nil, err
		}
		if len(page.Items) == 0 {
			return nil, coded(x.Lang, errs.Unprocessable, "automation.coupon_template", name)
		}
		tpl, _ = page.Items[0][form.SysID].(string)
	}
	return runAppAction(ctx, x, a.action, map[string]any{"template": tpl, "members": []any{member}})
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "coupon.issue", Version: 1, Group: "loyalty",
			Title: map[string]string{"zh-CN": "发券", "en": "Issue a coupon"},
			Config: json.RawMessage(`{"type":"object","additionalProperties":false,"properties":{"action":{"type":"string"},` +
				`"template":{"type":"string"},"templateName":{"type":"string"},"templateForm":{"type":"string"},"member":{"type":"string"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"templateName":"生日礼券 满99减20"}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c couponConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if (c.Template == "") == (c.TemplateName == "") {
				fe = append(fe, fieldErr("template", "automation.template_required", "give template (a record id) or templateName")...)
			}
			if c.Action == "" {
				c.Action = "issue-coupons"
			}
			if c.TemplateForm == "" {
				c.TemplateForm = "coupon-templates"
			}
			if !meta.ValidKey(c.Action) || !meta.ValidKey(c.TemplateForm) {
				fe = append(fe, fieldErr("action", "automation.bad_key", "action and templateForm are definition keys")...)
			}
			return &couponIssue{action: c.Action, template: c.Template, templateName: c.TemplateName, templateForm: c.TemplateForm, member: c.Member}, fe
		},
	})
}
