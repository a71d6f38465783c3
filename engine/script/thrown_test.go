package script

import (
	"context"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

type langKey struct{}

// TestThrownCodedErrors: a plain object with a dotted code thrown by a
// script comes back as that coded error, its class from status (422 when
// absent or unknown), its message in the run's language, its path as the
// field error; anything else thrown stays script.error.
func TestThrownCodedErrors(t *testing.T) {
	e := newTestEngine(t, Options{Lang: func(ctx context.Context) string {
		s, _ := ctx.Value(langKey{}).(string)
		return s
	}})
	msgs := `{'zh-CN': '优惠券已使用', en: 'the coupon has been used'}`
	run := func(lang, src string) error {
		ctx := context.WithValue(context.Background(), langKey{}, lang)
		_, err := e.Run(ctx, mustProgram(t, src), RunOptions{})
		return err
	}
	for _, c := range []struct {
		lang, src, code, msg, path string
		class                      errs.Class
	}{
		{"zh-CN", `throw {code: 'crm.coupon_used', status: 409, path: 'couponCodes[0]', message: ` + msgs + `}`,
			"crm.coupon_used", "优惠券已使用", "couponCodes[0]", errs.Conflict},
		{"en", `throw {code: 'crm.coupon_used', status: 409, message: ` + msgs + `}`, "crm.coupon_used", "the coupon has been used", "", errs.Conflict},
		{"", `throw {code: 'crm.x', message: ` + msgs + `}`, "crm.x", "优惠券已使用", "", errs.Unprocessable},
		{"fr", `throw {code: 'crm.x', status: 404, message: {en: 'only english'}}`, "crm.x", "only english", "", errs.NotFound},
		{"en", `throw {code: 'crm.x', status: 500, message: 'plain text'}`, "crm.x", "plain text", "", errs.Unprocessable},
		{"en", `throw {code: 'crm.x'}`, "crm.x", "crm.x", "", errs.Unprocessable},
		{"en", `const o = {code: 'crm.nested'}; function f() { throw o; } f();`, "crm.nested", "crm.nested", "", errs.Unprocessable},
	} {
		err := run(c.lang, c.src)
		got := wantCode(t, err, c.code)
		if got.Class != c.class || got.Msg != c.msg {
			t.Errorf("%s: class %v msg %q, want %v %q", c.src, got.Class, got.Msg, c.class, c.msg)
		}
		if c.path != "" && (len(got.Fields) != 1 || got.Fields[0].Path != c.path || got.Fields[0].Message != c.msg) {
			t.Errorf("%s: fields %+v", c.src, got.Fields)
		}
		if c.path == "" && len(got.Fields) != 0 {
			t.Errorf("%s: unexpected fields %+v", c.src, got.Fields)
		}
		if pos, ok := PositionOf(err); !ok || pos.Line < 1 {
			t.Errorf("%s: no position", c.src)
		}
	}
	// Not coded: the engine's namespace, a bad code, an Error, a string,
	// a getter that throws.
	for _, src := range []string{
		`throw {code: 'script.timeout', message: 'fake'}`,
		`throw {code: 'NotDotted', message: 'x'}`,
		`throw {code: 'crm..x'}`,
		`const e = new Error('boom'); e.code = 'crm.x'; throw e;`,
		`throw 'crm.x'`,
		`throw {get code() { throw new Error('nope'); }}`,
	} {
		wantCode(t, run("en", src), CodeError)
	}
}

func TestPickMessage(t *testing.T) {
	for _, c := range []struct {
		v          any
		lang, want string
	}{
		{map[string]any{"ja": "日本語", "de": "Deutsch"}, "en", "Deutsch"},
		{map[string]any{"zh-CN": "中文", "en": "English"}, "en-US", "English"},
		{map[string]any{"zh-CN": "中文", "en": "English"}, "zh-TW", "中文"},
		{map[string]any{"zh-TW": "繁體", "zh-CN": "中文"}, "zh-TW", "繁體"},
		{map[string]any{"en": ""}, "en", "c.x"},
		{"", "en", "c.x"},
		{42, "en", "c.x"},
	} {
		if got := pickMessage(c.v, c.lang, "c.x"); got != c.want {
			t.Errorf("pickMessage(%v, %s) = %q, want %q", c.v, c.lang, got, c.want)
		}
	}
}
