package form

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// autonumber gives each new record a number from a pattern such as
// "VIP-{YYYY}-{000000}": literal text, date parts {YYYY} {YY} {MM} {DD}, and
// one counter whose zeros give its width. With date parts the counter
// restarts every period (per year here); the records service keeps one
// counter per period and assigns numbers inside the create's transaction.
type autonumberType struct {
	typeSpec
	computedType
}

type autonumberSettings struct {
	Pattern string `json:"pattern"`
}

// autonumberDefault numbers records 000001, 000002, ... without reset.
const autonumberDefault = "{000000}"

var placeholderRe = regexp.MustCompile(`\{(YYYY|YY|MM|DD|0{1,18})\}`)

func init() {
	registerType(&autonumberType{typeSpec: newSpec("autonumber", "自动编号", "Auto number", "display.autonumber", "computed", `{
  "type": "object",
  "properties": {
    "pattern": {"type": "string", "minLength": 3, "maxLength": 100, "default": "{000000}", "description": "literal text with {YYYY} {YY} {MM} {DD} and one counter such as {000000}; the counter restarts each period of the finest date part"}
  }
}`, `{"key": "cardNo", "type": "autonumber", "label": {"zh-CN": "会员卡号", "en": "Card number"}, "pattern": "VIP-{YYYY}-{000000}"}`)})
}

// AutoNumberPattern returns the pattern of an auto-number field, the
// default when it has none.
func AutoNumberPattern(f *Field) string {
	return settingsOf("autonumber", f, func(s *autonumberSettings) {
		if s.Pattern == "" {
			s.Pattern = autonumberDefault
		}
	}).Pattern
}

// Check validates the pattern.
func (t *autonumberType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	if err := checkAutoPattern(AutoNumberPattern(f)); err != nil {
		fe = append(fe, settingErr("pattern", "field.config.autonum", err.Error()))
	}
	return fe
}

// checkAutoPattern accepts known placeholders, exactly one counter, and
// printable literal text without stray braces.
func checkAutoPattern(p string) error {
	counters := 0
	for _, m := range placeholderRe.FindAllStringSubmatch(p, -1) {
		if m[1][0] == '0' {
			counters++
		}
	}
	if counters != 1 {
		return fmt.Errorf("it needs exactly one counter such as {000000}, found %d", counters)
	}
	lit := placeholderRe.ReplaceAllString(p, "")
	if i := strings.IndexAny(lit, "{}"); i >= 0 {
		return fmt.Errorf("unknown placeholder or stray brace near %q (use {YYYY} {YY} {MM} {DD} {000000})", lit[i:])
	}
	if strings.IndexFunc(lit, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return fmt.Errorf("literal text must be printable")
	}
	return nil
}

// Stored is the formatted number.
func (t *autonumberType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is a string.
func (t *autonumberType) Schema(*Field) map[string]any { return map[string]any{"type": "string"} }

// Normalize checks text (numbers are the engine's to assign; this serves
// restores of earlier revisions).
func (t *autonumberType) Normalize(c Ctx, _ *Field, v any) (any, []errs.FieldError) {
	return normalizeKind(c, query.KindString, v)
}

// Parse ignores the cell: numbers are assigned, never imported.
func (t *autonumberType) Parse(Ctx, *Field, string) (any, []errs.FieldError) { return nil, nil }

// FormatAutoNumber renders number n of pattern at time t: date parts come
// from t in its own location (pass the business zone, e.g.
// query.DefaultLocation, or a record made at 00:30 in Shanghai gets
// yesterday's UTC date), the counter is zero-padded to its width and
// never truncated when it outgrows it.
func FormatAutoNumber(pattern string, t time.Time, n int64) string {
	return placeholderRe.ReplaceAllStringFunc(pattern, func(ph string) string {
		switch ph = ph[1 : len(ph)-1]; ph {
		case "YYYY":
			return fmt.Sprintf("%04d", t.Year())
		case "YY":
			return fmt.Sprintf("%02d", t.Year()%100)
		case "MM":
			return fmt.Sprintf("%02d", int(t.Month()))
		case "DD":
			return fmt.Sprintf("%02d", t.Day())
		}
		s := strconv.FormatInt(n, 10)
		if n >= 0 && len(s) < len(ph) {
			s = ph[:len(ph)-len(s)] + s
		}
		return s
	})
}

// AutoNumberPeriod names the counter period of pattern at time t (read in
// t's location, as in FormatAutoNumber): the day ("2026-11-23") when the
// pattern has {DD}, the month ("2026-11") with {MM}, the year ("2026") with
// {YYYY} or {YY}, and "" when the counter never restarts. Records made in
// the same period share a counter.
func AutoNumberPeriod(pattern string, t time.Time) string {
	has := map[string]bool{}
	for _, m := range placeholderRe.FindAllStringSubmatch(pattern, -1) {
		has[m[1]] = true
	}
	switch {
	case has["DD"]:
		return t.Format("2006-01-02")
	case has["MM"]:
		return t.Format("2006-01")
	case has["YYYY"], has["YY"]:
		return t.Format("2006")
	}
	return ""
}
