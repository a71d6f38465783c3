package form

import (
	"regexp"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// idcard is a mainland China resident ID number (居民身份证号码, GB 11643):
// a 6-digit region code, the birth date as YYYYMMDD, a 3-digit sequence
// whose parity gives the gender, and an ISO 7064 MOD 11-2 check character
// (0-9 or X). The residence permits of Hong Kong, Macao and Taiwan residents
// share the format (regions 81, 82, 83). It is stored with an uppercase X.
type idcardType struct{ typeSpec }

func init() {
	registerType(&idcardType{newSpec("idcard", "身份证号", "Resident ID number", "input.idcard", "contact", `{
  "type": "object",
  "properties": {
    "mask": {"type": "string", "maxLength": 32, "description": "display mask for readers without the unmask right"}
  }
}`, `{"key": "idNumber", "type": "idcard", "label": {"zh-CN": "身份证号", "en": "ID number"}, "unique": true}`)})
}

// Check validates the settings against the schema.
func (t *idcardType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is the 18-character number.
func (t *idcardType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is 17 digits and a check character.
func (t *idcardType) Schema(*Field) map[string]any {
	return map[string]any{"type": "string", "pattern": `^\d{17}[\dX]$`}
}

// Normalize checks length, region, birth date and check character, and
// uppercases x.
func (t *idcardType) Normalize(c Ctx, _ *Field, v any) (any, []errs.FieldError) {
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	id, problem := checkIDCard(s)
	if problem != "" {
		return nil, []errs.FieldError{c.failAs("field.idcard", problem)}
	}
	return id, nil
}

// Parse takes the cell as is.
func (t *idcardType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	if s, ok := cellText(cell); ok {
		return s, nil
	}
	return nil, nil
}

var idShapeRe = regexp.MustCompile(`^\d{17}[\dX]$`)

// idWeights are 2^(17-i) mod 11, the MOD 11-2 weights of the 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkIDCard returns the normalized number, or the message key of what
// is wrong with it.
func checkIDCard(s string) (string, string) {
	id := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(id) != 18 {
		return "", "field.idcard.length"
	}
	if !idShapeRe.MatchString(id) {
		return "", "field.idcard"
	}
	if _, ok := provinceByCode[id[:2]+"0000"]; (!ok || id[:2] == "71") && id[:2] != "83" {
		return "", "field.idcard.region"
	}
	birth, err := time.ParseInLocation("20060102", id[6:14], query.DefaultLocation)
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return "", "field.idcard.birth"
	}
	if idCheckChar(id[:17]) != id[17] {
		return "", "field.idcard.checksum"
	}
	return id, ""
}

// idCheckChar computes the MOD 11-2 check character of 17 digits.
func idCheckChar(digits string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(digits[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// IDCardBirthDate returns the birth date ("YYYY-MM-DD") of a valid resident
// ID number, so formulas and member imports can fill a birthday from it.
func IDCardBirthDate(id string) (string, bool) {
	n, problem := checkIDCard(id)
	if problem != "" {
		return "", false
	}
	return n[6:10] + "-" + n[10:12] + "-" + n[12:14], true
}

// IDCardGender returns "male" or "female" for a valid resident ID number:
// the 17th character is odd for men and even for women.
func IDCardGender(id string) (string, bool) {
	n, problem := checkIDCard(id)
	if problem != "" {
		return "", false
	}
	if (n[16]-'0')%2 == 1 {
		return "male", true
	}
	return "female", true
}
