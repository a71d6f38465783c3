package form

import "testing"

func TestPhone(t *testing.T) {
	ftNormalize(t, "phone", true, []ntCase{
		{name: "mobile", in: "13812345678", want: "13812345678"},
		{name: "spaces and dashes", in: "138 1234-5678", want: "13812345678"},
		{name: "+86", in: "+86 138 1234 5678", want: "13812345678"},
		{name: "86 prefix", in: "8613812345678", want: "13812345678"},
		{name: "0086 prefix", in: "0086-13812345678", want: "13812345678"},
		{name: "19x mobile", in: "19912345678", want: "19912345678"},
		{name: "12x is not a mobile", in: "12812345678", errs: []string{"f field.phone"}},
		{name: "10 digits", in: "1381234567", errs: []string{"f field.phone"}},
		{name: "Beijing landline", in: "010-12345678", want: "010-12345678"},
		{name: "landline without dash", in: "01012345678", want: "010-12345678"},
		{name: "four-digit area without dash", in: "05718888888", want: "0571-8888888"},
		{name: "brackets", in: "(021) 6123 4567", want: "021-61234567"},
		{name: "extension", in: "0571-88888888-1234", want: "0571-88888888-1234"},
		{name: "转 extension", in: "010-12345678转123", want: "010-12345678-123"},
		{name: "from abroad", in: "+86 10 1234 5678", want: "010-12345678"},
		{name: "local too short", in: "010-123456", errs: []string{"f field.phone"}},
		{name: "extension too long", in: "010-12345678-1234567", errs: []string{"f field.phone"}},
		{name: "letters", in: "138abcd5678", errs: []string{"f field.phone"}},
		{name: "number type", in: ftJSON(`13812345678`), errs: []string{"f field.type"}},
		{name: "blank", in: "", want: nil},
		{name: "mobile only", settings: `{"accept": "mobile"}`, in: "010-12345678", errs: []string{"f field.phone"}},
		{name: "mobile only takes mobiles", settings: `{"accept": "mobile"}`, in: "+8613812345678", want: "13812345678"},
		{name: "landline only", settings: `{"accept": "landline"}`, in: "13812345678", errs: []string{"f field.phone"}},
	})
	ftParse(t, "phone", []psCase{{cell: " 138 1234 5678 ", want: "138 1234 5678"}, {cell: "", want: nil}})
	ftCheck(t, "phone", []ckCase{
		{"fine", `{"accept": "mobile", "mask": "138****1234"}`, nil},
		{"accept", `{"accept": "fax"}`, []string{"accept field.config"}},
	})
	for in, want := range map[string][2]string{
		"+86 138-1234-5678": {"13812345678", "mobile"},
		"0755 8888 8888":    {"0755-88888888", "landline"},
		"400-123-4567":      {"", ""},
	} {
		if n, k := NormalizePhone(in); n != want[0] || k != want[1] {
			t.Errorf("NormalizePhone(%q) = %q %q; want %q", in, n, k, want)
		}
	}
}

func TestEmail(t *testing.T) {
	ftNormalize(t, "email", true, []ntCase{
		{name: "plain", in: "li.si@example.com", want: "li.si@example.com"},
		{name: "domain lowercased, local kept", in: " Li.Si@Example.COM ", want: "Li.Si@example.com"},
		{name: "plus", in: "a+vip@qq.com", want: "a+vip@qq.com"},
		{name: "subdomain", in: "x@mail.corp.example.cn", want: "x@mail.corp.example.cn"},
		{name: "IDN", in: "会员@例子.中国", errs: []string{"f field.email"}},
		{name: "IDN domain", in: "vip@例子.中国", want: "vip@例子.中国"},
		{name: "no at", in: "example.com", errs: []string{"f field.email"}},
		{name: "no dot", in: "a@localhost", errs: []string{"f field.email"}},
		{name: "double dot", in: "a..b@example.com", errs: []string{"f field.email"}},
		{name: "leading dot", in: ".a@example.com", errs: []string{"f field.email"}},
		{name: "hyphen label", in: "a@-example.com", errs: []string{"f field.email"}},
		{name: "numeric TLD", in: "a@example.123", errs: []string{"f field.email"}},
		{name: "one-letter TLD", in: "a@example.c", errs: []string{"f field.email"}},
		{name: "space", in: "a b@example.com", errs: []string{"f field.email"}},
		{name: "two ats", in: "a@b@example.com", errs: []string{"f field.email"}},
		{name: "blank", in: "", want: nil},
		{name: "not text", in: ftJSON(`{}`), errs: []string{"f field.type"}},
	})
	ftParse(t, "email", []psCase{{cell: "a@b.cn", want: "a@b.cn"}, {cell: "", want: nil}})
	ftCheck(t, "email", []ckCase{{"fine", ``, nil}})
}
