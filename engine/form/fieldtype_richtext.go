package form

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// richtext is HTML from the builder's editor (knowledge base articles,
// campaign descriptions). Every client can send any HTML, so the server
// keeps only an allowlist of tags and attributes and stores the sanitized
// markup: what is stored is safe to render in the UI and in member H5
// pages without further escaping.
type richtextType struct{ typeSpec }

type richtextSettings struct {
	MaxLength *int `json:"maxLength"`
}

const richtextDefaultMax = 100000

func init() {
	registerType(&richtextType{newSpec("richtext", "富文本", "Rich text", "input.richtext", "basic", `{
  "type": "object",
  "properties": {
    "maxLength": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 100000, "description": "at most this many characters of sanitized HTML"}
  }
}`, `{"key": "body", "type": "richtext", "label": {"zh-CN": "正文", "en": "Body"}, "maxLength": 50000}`)})
}

func (t *richtextType) settings(f *Field) *richtextSettings {
	return settingsOf(t.spec.Key, f, func(s *richtextSettings) {
		if s.MaxLength == nil {
			n := richtextDefaultMax
			s.MaxLength = &n
		}
	})
}

// Check validates the settings against the schema.
func (t *richtextType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is the sanitized HTML string.
func (t *richtextType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is a string.
func (t *richtextType) Schema(f *Field) map[string]any {
	return map[string]any{"type": "string", "maxLength": *t.settings(f).MaxLength}
}

// Normalize sanitizes the HTML; markup without text or images (an empty
// editor sends "<p><br></p>") is no value.
func (t *richtextType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	in, fe := asText(c, v)
	if fe != nil {
		return nil, fe
	}
	limit := *t.settings(f).MaxLength
	// Sanitizing can only shrink markup or escape text (at most ×5 for
	// "&amp;"), so far larger input is refused before any work is done.
	if len(in) > 8*limit {
		return nil, []errs.FieldError{c.fail("field.max_length", limit)}
	}
	out, content := SanitizeHTML(in)
	if !content {
		return nil, nil
	}
	if utf8.RuneCountInString(out) > limit {
		return nil, []errs.FieldError{c.fail("field.max_length", limit)}
	}
	return out, nil
}

// Parse takes the cell as HTML; Normalize sanitizes it.
func (t *richtextType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	if s, ok := cellText(cell); ok {
		return s, nil
	}
	return nil, nil
}

// richTags maps each allowed tag to its allowed attributes.
var richTags = map[string][]string{
	"p": {"style"}, "div": {"style"}, "span": {"style"}, "br": nil, "hr": nil,
	"h1": {"style"}, "h2": {"style"}, "h3": {"style"}, "h4": {"style"}, "h5": {"style"}, "h6": {"style"},
	"b": nil, "strong": nil, "i": nil, "em": nil, "u": nil, "s": nil, "del": nil, "ins": nil,
	"sub": nil, "sup": nil, "mark": nil, "small": nil, "blockquote": {"style"}, "pre": nil, "code": nil,
	"ul": {"style"}, "ol": {"style", "start"}, "li": {"style"},
	"a":     {"href", "title", "target"},
	"img":   {"src", "alt", "title", "width", "height", "style"},
	"table": {"style"}, "caption": nil, "thead": nil, "tbody": nil, "tfoot": nil, "tr": nil,
	"th": {"colspan", "rowspan", "style"}, "td": {"colspan", "rowspan", "style"},
}

// richVoid are allowed elements without content or end tag.
var richVoid = map[string]bool{"br": true, "hr": true, "img": true}

// richDropped are elements removed together with everything inside them:
// active content, and elements whose content is not text to show.
var richDropped = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "noscript": true, "noembed": true, "noframes": true, "template": true,
	"svg": true, "math": true, "textarea": true, "select": true, "title": true, "head": true,
	"xmp": true, "plaintext": true, "form": true, "button": true,
}

// richStyles are the CSS properties editors use for colour, emphasis and
// alignment; nothing that positions, loads or scripts.
var richStyles = map[string]bool{
	"color": true, "background-color": true, "text-align": true, "font-weight": true, "font-style": true,
	"text-decoration": true, "font-size": true, "line-height": true, "text-indent": true,
	"width": true, "height": true, "margin-left": true, "padding-left": true, "vertical-align": true,
}

var (
	styleValueRe = regexp.MustCompile(`^[#a-zA-Z0-9 .,%()-]{1,100}$`)
	sizeAttrRe   = regexp.MustCompile(`^[0-9]{1,5}%?$`)
	dataImageRe  = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$`)
)

// SanitizeHTML keeps the allowlisted tags and attributes of s, drops
// scripts, event handlers and javascript: (or other non-web) URLs, closes
// what was left open, and escapes all text. content reports whether any
// text or image remains.
func SanitizeHTML(s string) (out string, content bool) {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	var open []string
	skip, skipTag := 0, ""
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for i := len(open) - 1; i >= 0; i-- {
				b.WriteString("</" + open[i] + ">")
			}
			return strings.TrimSpace(b.String()), content
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := strings.ReplaceAll(string(z.Text()), "\x00", "")
			content = content || strings.TrimSpace(text) != ""
			b.WriteString(html.EscapeString(text))
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := tok.Data
			if skip > 0 {
				if name == skipTag && tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if richDropped[name] {
				if tt == html.StartTagToken {
					skip, skipTag = 1, name
				}
				continue
			}
			allowed, ok := richTags[name]
			if !ok {
				continue // unknown tag: drop it, keep its text
			}
			b.WriteString("<" + name)
			writeRichAttrs(&b, name, tok.Attr, allowed)
			b.WriteString(">")
			switch {
			case richVoid[name]:
				content = content || name == "img"
			case tt == html.SelfClosingTagToken:
				b.WriteString("</" + name + ">")
			default:
				open = append(open, name)
			}
		case html.EndTagToken:
			name := z.Token().Data
			if skip > 0 {
				if name == skipTag {
					skip--
				}
				continue
			}
			i := len(open) - 1
			for i >= 0 && open[i] != name {
				i--
			}
			if i < 0 {
				continue // never opened (or not allowed): nothing to close
			}
			for j := len(open) - 1; j >= i; j-- {
				b.WriteString("</" + open[j] + ">")
			}
			open = open[:i]
		}
	}
}

// writeRichAttrs writes the allowed attributes whose values are safe.
func writeRichAttrs(b *strings.Builder, tag string, attrs []html.Attribute, allowed []string) {
	blank := false
	for _, a := range attrs {
		if a.Namespace != "" || !contains(allowed, a.Key) {
			continue
		}
		val := strings.TrimSpace(a.Val)
		switch a.Key {
		case "href":
			val, _ = safeURL(val, false)
		case "src":
			val, _ = safeURL(val, tag == "img")
		case "style":
			val = safeStyle(val)
		case "target":
			if val != "_blank" {
				val = ""
			}
			blank = val != ""
		case "width", "height", "colspan", "rowspan", "start":
			if !sizeAttrRe.MatchString(val) {
				val = ""
			}
		}
		if val == "" {
			continue
		}
		b.WriteString(" " + a.Key + `="` + html.EscapeString(val) + `"`)
	}
	if blank {
		// A page opened with target=_blank must not reach back through
		// window.opener.
		b.WriteString(` rel="noopener noreferrer"`)
	}
}

// safeURL keeps URLs a reader can safely follow: relative ones and the
// http, https, mailto and tel schemes (and inline raster images for img).
// Browsers ignore control characters and white space inside a scheme
// ("java\tscript:"), so the scheme is read with those removed.
func safeURL(u string, image bool) (string, bool) {
	clean := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, u)
	if clean == "" {
		return "", false
	}
	end := strings.IndexAny(clean, "/?#")
	if end < 0 {
		end = len(clean)
	}
	colon := strings.IndexByte(clean[:end], ':')
	if colon < 0 {
		return u, true
	}
	switch strings.ToLower(clean[:colon]) {
	case "http", "https":
		return u, true
	case "mailto", "tel":
		if !image {
			return u, true
		}
	case "data":
		if image && dataImageRe.MatchString(u) {
			return u, true
		}
	}
	return "", false
}

// safeStyle keeps allowed CSS declarations with plain values (colours,
// lengths, keywords); anything that could load or run something goes.
func safeStyle(style string) string {
	var kept []string
	for _, decl := range strings.Split(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.TrimSpace(val)
		low := strings.ToLower(val)
		if !richStyles[prop] || !styleValueRe.MatchString(val) ||
			strings.Contains(low, "url") || strings.Contains(low, "expression") {
			continue
		}
		kept = append(kept, prop+": "+val)
	}
	return strings.Join(kept, "; ")
}
