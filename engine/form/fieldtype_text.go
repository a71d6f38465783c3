package form

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// textType is single-line text (text) and, with multiline set, long text
// (textarea). Lengths count characters, not bytes: 50 Chinese characters
// are 50, as people count them.
type textType struct {
	typeSpec
	defaultMax int
	multiline  bool // keeps line breaks, normalized to \n; no pattern
}

// textSettings are text's settings.
type textSettings struct {
	MaxLength *int   `json:"maxLength"`
	MinLength int    `json:"minLength"`
	Pattern   string `json:"pattern"`
	re        *regexp.Regexp
}

func init() {
	registerType(&textType{
		defaultMax: 200,
		typeSpec: newSpec("text", "单行文本", "Text", "input.text", "basic", `{
  "type": "object",
  "properties": {
    "maxLength": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 200, "description": "at most this many characters"},
    "minLength": {"type": "integer", "minimum": 0, "maximum": 10000, "description": "at least this many characters when filled in"},
    "pattern": {"type": "string", "maxLength": 1000, "description": "RE2 regular expression the text must match somewhere (anchor it with ^ and $ to match all of it)"}
  }
}`, `{"key": "memberNo", "type": "text", "label": {"zh-CN": "会员卡号", "en": "Card number"}, "maxLength": 20, "pattern": "^[A-Z0-9]+$"}`),
	})
}

func (t *textType) settings(f *Field) *textSettings {
	return settingsOf(t.spec.Key, f, func(s *textSettings) {
		if s.MaxLength == nil {
			s.MaxLength = &t.defaultMax
		}
		if s.Pattern != "" && !t.multiline {
			s.re, _ = regexp.Compile(s.Pattern)
		}
	})
}

// Check validates the lengths and compiles the pattern.
func (t *textType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	s := t.settings(f)
	if s.MinLength > *s.MaxLength {
		fe = append(fe, settingErr("minLength", "field.config.range"))
	}
	if s.Pattern != "" && !t.multiline {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			fe = append(fe, settingErr("pattern", "field.config.pattern", err.Error()))
		}
	}
	return fe
}

// Stored is a string.
func (t *textType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is a string within the length limits.
func (t *textType) Schema(f *Field) map[string]any {
	s := t.settings(f)
	out := map[string]any{"type": "string", "maxLength": *s.MaxLength}
	if s.MinLength > 0 {
		out["minLength"] = s.MinLength
	}
	if s.re != nil {
		out["pattern"] = s.Pattern
	}
	return out
}

// Normalize trims the text and checks lengths and pattern; blank text is
// no value.
func (t *textType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	text, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	if t.multiline {
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	}
	s := t.settings(f)
	n := utf8.RuneCountInString(text)
	if n > *s.MaxLength {
		fe = append(fe, c.fail("field.max_length", *s.MaxLength))
	}
	if n < s.MinLength {
		fe = append(fe, c.fail("field.min_length", s.MinLength))
	}
	if s.re != nil && !s.re.MatchString(text) {
		fe = append(fe, c.fail("field.pattern"))
	}
	if fe != nil {
		return nil, fe
	}
	return text, nil
}

// Parse takes the cell as it is.
func (t *textType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	if s, ok := cellText(cell); ok {
		return s, nil
	}
	return nil, nil
}
