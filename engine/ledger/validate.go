package ledger

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// MaxAmount bounds every amount and balance: 2^53−1, the largest integer a
// JavaScript client (the builder UI, H5 pages, scripts) reads exactly. It
// is 90 trillion yuan in fen, so no real balance comes near it.
const MaxAmount int64 = 1<<53 - 1

// Limits of a posting's texts and metadata.
const (
	maxKey     = 200
	maxText    = 200
	maxMetaLen = 16
	maxMetaStr = 500
)

// nameRe is the shape of types, and kindRe of kinds: they are data
// (defined by the app's templates) but also part of account ids and
// filters. Kinds may use hyphens like definition keys ("sv-principal");
// ':' never appears, so account ids stay unambiguous.
var (
	nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	kindRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

var metaKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Keys the ledger writes itself: a caller using them could pre-empt an
// expiry or a reversal.
var reservedKeyPrefixes = []string{"expire:", "reverse:"}

// validate checks p, collecting every problem, and normalises its metadata
// (integers become json.Number, as they read back from the store).
func validate(p *Posting) error {
	var fe []errs.FieldError
	add := func(path, format string, args ...any) {
		fe = append(fe, errs.FieldError{Path: path, Code: "ledger.invalid", Message: fmt.Sprintf(format, args...)})
	}
	if !meta.ValidKey(p.App) {
		add("app", "must be an app key")
	}
	if msg := checkText(p.Owner, maxText, true); msg != "" {
		add("owner", "%s", msg)
	}
	if !kindRe.MatchString(p.Kind) {
		add("kind", "must match ^[a-z][a-z0-9_-]{0,31}$")
	}
	if p.Unit != UnitPoint && p.Unit != UnitFen {
		add("unit", `must be "point" or "fen"`)
	}
	switch {
	case p.Amount == 0:
		add("amount", "must not be zero")
	case p.Amount > MaxAmount || p.Amount < -MaxAmount:
		add("amount", "must be between -%d and %d", MaxAmount, MaxAmount)
	}
	if msg := checkText(p.Key, maxKey, true); msg != "" {
		add("key", "%s", msg)
	}
	for _, pre := range reservedKeyPrefixes {
		if strings.HasPrefix(p.Key, pre) {
			add("key", "keys starting with %q are the ledger's own", pre)
		}
	}
	switch {
	case !nameRe.MatchString(p.Type):
		add("type", "must match ^[a-z][a-z0-9_]{0,31}$")
	case p.Type == TypeExpire || p.Type == TypeReversal:
		add("type", "%q entries are written by the ledger itself (Expire, Reverse)", p.Type)
	}
	if msg := checkText(p.Ref, maxText, false); msg != "" {
		add("ref", "%s", msg)
	}
	if msg := checkText(p.By, maxText, false); msg != "" {
		add("by", "%s", msg)
	}
	if !p.ExpiresAt.IsZero() && p.Amount < 0 {
		add("expiresAt", "only credits expire")
	}
	m, bad := normMeta(p.Meta)
	for _, b := range bad {
		add(b[0], "%s", b[1])
	}
	p.Meta = m
	return errs.Validation(errs.Unprocessable, ErrInvalid.Code, ErrInvalid.Msg, fe)
}

// checkText refuses empty (when required), long, invalid UTF-8 and control
// characters: these strings end up in ids, logs and CSV exports.
func checkText(s string, max int, required bool) string {
	switch {
	case s == "" && required:
		return "is required"
	case len(s) > max:
		return fmt.Sprintf("must be at most %d bytes", max)
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// normMeta checks metadata (a few scalars, no floats: an amount in meta
// must be as exact as one in the entry) and returns it normalised.
func normMeta(in map[string]any) (map[string]any, [][2]string) {
	if len(in) == 0 {
		return nil, nil
	}
	var bad [][2]string
	if len(in) > maxMetaLen {
		bad = append(bad, [2]string{"meta", fmt.Sprintf("at most %d keys", maxMetaLen)})
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		path := "meta." + k
		if !metaKeyRe.MatchString(k) {
			bad = append(bad, [2]string{path, "keys must be identifiers of at most 64 characters"})
			continue
		}
		switch x := v.(type) {
		case nil:
		case bool:
			out[k] = x
		case string:
			if msg := checkText(x, maxMetaStr, false); msg != "" {
				bad = append(bad, [2]string{path, msg})
			}
			out[k] = x
		case int:
			out[k] = json.Number(strconv.Itoa(x))
		case int64:
			out[k] = json.Number(strconv.FormatInt(x, 10))
		case json.Number:
			if _, err := strconv.ParseInt(string(x), 10, 64); err != nil {
				bad = append(bad, [2]string{path, "numbers must be integers"})
			}
			out[k] = x
		default:
			bad = append(bad, [2]string{path, "values must be strings, integers or booleans"})
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, bad
}

// errorf makes a copy of base with a specific message.
func errorf(base *errs.Error, format string, args ...any) error {
	return errs.New(base.Class, base.Code, format, args...)
}
