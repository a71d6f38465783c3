package form

import (
	"strings"
	"testing"
)

func TestRichtext(t *testing.T) {
	ftNormalize(t, "richtext", true, []ntCase{
		{name: "kept", in: `<p>会员<b>日</b></p>`, want: `<p>会员<b>日</b></p>`},
		{name: "script dropped", in: `<p>hi</p><script>alert(1)</script>`, want: `<p>hi</p>`},
		{name: "empty editor", in: `<p><br></p>`, want: nil},
		{name: "only an image", in: `<img src="https://cdn.example.com/a.png">`, want: `<img src="https://cdn.example.com/a.png">`},
		{name: "max length of the result", settings: `{"maxLength": 10}`, in: `<p>0123456789</p>`, errs: []string{"f field.max_length"}},
		{name: "huge input refused early", settings: `{"maxLength": 10}`, in: strings.Repeat("<i></i>", 20), errs: []string{"f field.max_length"}},
		{name: "not text", in: ftJSON(`["<p>"]`), errs: []string{"f field.type"}},
	})
	ftParse(t, "richtext", []psCase{{cell: "<p>x</p>", want: "<p>x</p>"}, {cell: "", want: nil}})
	ftCheck(t, "richtext", []ckCase{
		{"fine", `{"maxLength": 5000}`, nil},
		{"bad", `{"maxLength": 0}`, []string{"maxLength field.config"}},
	})
}

func TestSanitizeHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<p onclick="x()">a</p>`, `<p>a</p>`},
		{`<a href="javascript:alert(1)">x</a>`, `<a>x</a>`},
		{`<a href=" JaVa&#x09;Script:alert(1)">x</a>`, `<a>x</a>`},
		{`<a href="https://tangram.dev/?a=1&b=2" target="_blank">x</a>`, `<a href="https://tangram.dev/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">x</a>`},
		{`<a href="/records/1" target="_top">x</a>`, `<a href="/records/1">x</a>`},
		{`<a href="mailto:a@b.cn">m</a>`, `<a href="mailto:a@b.cn">m</a>`},
		{`<img src="data:image/png;base64,iVBORw0KGgo=" onerror="x()">`, `<img src="data:image/png;base64,iVBORw0KGgo=">`},
		{`<img src="data:text/html;base64,PHNjcmlwdD4=">`, `<img>`},
		{`<img src="vbscript:x" width="100" height="50%">`, `<img width="100" height="50%">`},
		{`<iframe src="https://evil"><p>inside</p></iframe>after`, `after`},
		{`<style>p{color:red}</style><p>x</p>`, `<p>x</p>`},
		{`<svg><svg></svg><script>1</script></svg>ok`, `ok`},
		{`<p style="color: red; position: absolute; background-image: url(x); text-align:center">x</p>`, `<p style="color: red; text-align: center">x</p>`},
		{`<span style="color: expression(alert(1))">x</span>`, `<span>x</span>`},
		{`<unknown>text</unknown>`, `text`},
		{`<div><p>open`, `<div><p>open</p></div>`},
		{`<b><i>x</b></i>`, `<b><i>x</i></b>`},
		{`</p>stray`, `stray`},
		{`a < b & c`, `a &lt; b &amp; c`},
		{`<!-- comment --><p>x</p>`, `<p>x</p>`},
		{`<br/><hr>`, `<br><hr>`},
		{`<td colspan="2" rowspan="x">c</td>`, `<td colspan="2">c</td>`},
		{`<p title="t">x</p>`, `<p>x</p>`},
		{`<a title="&quot;><script>">x</a>`, `<a title="&#34;&gt;&lt;script&gt;">x</a>`},
		{`<plaintext><b>all text</b>`, ``},
	} {
		if got, _ := SanitizeHTML(tc.in); got != tc.want {
			t.Errorf("SanitizeHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
