package form

import (
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// money is an amount stored as integer fen (1/100 yuan): sums, balances
// and comparisons are exact integer arithmetic in every store, and no
// amount ever passes through a float. Clients write yuan ("12.30", 12.3);
// reads return fen and the UI formats them.
type moneyType struct{ typeSpec }

type moneySettings struct {
	decimalRange
	Precision *int   `json:"precision"`
	Currency  string `json:"currency"`
}

func init() {
	registerType(&moneyType{newSpec("money", "金额", "Money", "input.money", "basic", `{
  "type": "object",
  "properties": {
    "precision": {"type": "integer", "minimum": 0, "maximum": 2, "default": 2, "description": "decimal places of yuan accepted: 2 takes fen, 0 whole yuan only"},
    "min": {"type": "number", "description": "smallest amount in yuan"},
    "max": {"type": "number", "description": "largest amount in yuan"},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "CNY", "description": "ISO 4217 code; amounts are in its 1/100 unit"}
  }
}`, `{"key": "balance", "type": "money", "label": {"zh-CN": "储值余额", "en": "Balance"}, "min": 0, "currency": "CNY"}`)})
}

func (t *moneyType) settings(f *Field) *moneySettings {
	return settingsOf(t.spec.Key, f, func(s *moneySettings) {
		if s.Precision == nil {
			two := 2
			s.Precision = &two
		}
		if s.Currency == "" {
			s.Currency = "CNY"
		}
		s.prepare()
	})
}

// Check validates the settings and that min does not exceed max.
func (t *moneyType) Check(f *Field) []errs.FieldError {
	s := t.settings(f)
	return append(checkConfig(t.spec.Key, f), s.check()...)
}

// Stored is an integer amount of fen.
func (t *moneyType) Stored(*Field) Stored { return Stored{Kind: query.KindInt} }

// Schema is an integer of fen within the bounds.
func (t *moneyType) Schema(f *Field) map[string]any {
	s := t.settings(f)
	out := map[string]any{"type": "integer"}
	if s.min != nil {
		if fen, ok := s.min.scaled(2); ok {
			out["minimum"] = fen
		}
	}
	if s.max != nil {
		if fen, ok := s.max.scaled(2); ok {
			out["maximum"] = fen
		}
	}
	return out
}

// Normalize reads yuan exactly ("12.30", 12.3, json 12.30) and returns fen
// (1230). More decimals than the precision are refused, never rounded: a
// silently rounded amount is a wrong amount.
func (t *moneyType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	s := t.settings(f)
	d, ok, fe := s.read(c, v, *s.Precision)
	if fe != nil || !ok {
		return nil, fe
	}
	fen, ok := d.scaled(2)
	if !ok {
		return nil, []errs.FieldError{c.fail("field.range")}
	}
	return fen, nil
}

// moneyCleaner removes what spreadsheets put around amounts: currency
// signs and codes, the 元 suffix, thousands separators and spaces.
var moneyCleaner = strings.NewReplacer("¥", "", "￥", "", "CNY", "", "RMB", "", "元", "",
	",", "", "，", "", " ", "", "\u00a0", "")

// Parse reads amounts as spreadsheets show them ("¥1,234.50", "1234.5元",
// accounting negatives "(12.00)") and returns yuan text for Normalize.
func (t *moneyType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	s = moneyCleaner.Replace(s)
	if len(s) > 2 && (s[0] == '(' && s[len(s)-1] == ')' || strings.HasPrefix(s, "（") && strings.HasSuffix(s, "）")) {
		s = "-" + strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "("), "（"), ")"), "）")
	}
	return numberCell(s), nil
}

// FenToYuan renders an amount of fen as yuan text with two decimals
// ("-12.30"), for exports and messages.
func FenToYuan(fen int64) string {
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = uint64(-fen)
	}
	s := strconv.FormatUint(u/100, 10) + "." + strconv.FormatUint(u%100/10, 10) + strconv.FormatUint(u%10, 10)
	if neg {
		s = "-" + s
	}
	return s
}
