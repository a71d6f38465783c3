package form

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// address is a mainland China address: province, city and district as
// 6-digit administrative codes (GB/T 2260) plus free detail text. Codes,
// not names, are stored so reports can group by province or city exactly
// (and draw the province map) whatever spelling a clerk picked. Province
// codes are checked against the table below; the city and district codes
// are checked for consistency with the level above (the full table of
// ~3,000 codes changes every year and belongs to the UI's picker).
type addressType struct{ typeSpec }

type addressSettings struct {
	Level        string `json:"level"` // province, city, district (default)
	DetailLength *int   `json:"detailMaxLength"`
}

// Province is one provincial-level division of GB/T 2260.
type Province struct {
	Code  string // "440000"
	Name  string // zh-CN full name, "广东省"
	Short string // what people write, "广东"
	En    string // "Guangdong"
}

// provinces are the 34 provincial-level divisions.
var provinces = []Province{
	{"110000", "北京市", "北京", "Beijing"}, {"120000", "天津市", "天津", "Tianjin"},
	{"130000", "河北省", "河北", "Hebei"}, {"140000", "山西省", "山西", "Shanxi"},
	{"150000", "内蒙古自治区", "内蒙古", "Inner Mongolia"}, {"210000", "辽宁省", "辽宁", "Liaoning"},
	{"220000", "吉林省", "吉林", "Jilin"}, {"230000", "黑龙江省", "黑龙江", "Heilongjiang"},
	{"310000", "上海市", "上海", "Shanghai"}, {"320000", "江苏省", "江苏", "Jiangsu"},
	{"330000", "浙江省", "浙江", "Zhejiang"}, {"340000", "安徽省", "安徽", "Anhui"},
	{"350000", "福建省", "福建", "Fujian"}, {"360000", "江西省", "江西", "Jiangxi"},
	{"370000", "山东省", "山东", "Shandong"}, {"410000", "河南省", "河南", "Henan"},
	{"420000", "湖北省", "湖北", "Hubei"}, {"430000", "湖南省", "湖南", "Hunan"},
	{"440000", "广东省", "广东", "Guangdong"}, {"450000", "广西壮族自治区", "广西", "Guangxi"},
	{"460000", "海南省", "海南", "Hainan"}, {"500000", "重庆市", "重庆", "Chongqing"},
	{"510000", "四川省", "四川", "Sichuan"}, {"520000", "贵州省", "贵州", "Guizhou"},
	{"530000", "云南省", "云南", "Yunnan"}, {"540000", "西藏自治区", "西藏", "Xizang"},
	{"610000", "陕西省", "陕西", "Shaanxi"}, {"620000", "甘肃省", "甘肃", "Gansu"},
	{"630000", "青海省", "青海", "Qinghai"}, {"640000", "宁夏回族自治区", "宁夏", "Ningxia"},
	{"650000", "新疆维吾尔自治区", "新疆", "Xinjiang"}, {"710000", "台湾省", "台湾", "Taiwan"},
	{"810000", "香港特别行政区", "香港", "Hong Kong"}, {"820000", "澳门特别行政区", "澳门", "Macao"},
}

var provinceByCode = func() map[string]Province {
	m := make(map[string]Province, len(provinces))
	for _, p := range provinces {
		m[p.Code] = p
	}
	return m
}()

// Provinces lists the provincial-level divisions (for pickers, map charts
// and reports grouping by province).
func Provinces() []Province { return append([]Province(nil), provinces...) }

// ProvinceName returns the name of a province code in lang ("zh-CN"
// unless lang starts with "en").
func ProvinceName(code, lang string) (string, bool) {
	p, ok := provinceByCode[code]
	if !ok {
		return "", false
	}
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return p.En, true
	}
	return p.Name, true
}

const addressDetailMax = 200

var (
	areaCodeRe    = regexp.MustCompile(`^\d{6}$`)
	addressLevels = map[string]int{"province": 1, "city": 2, "district": 3}
	addressParts  = []string{"province", "city", "district", "detail"}
)

func init() {
	registerType(&addressType{newSpec("address", "地址", "Address", "picker.address", "contact", `{
  "type": "object",
  "properties": {
    "level": {"enum": ["province", "city", "district"], "default": "district", "description": "how deep the picker goes"},
    "detailMaxLength": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 200, "description": "characters of street address; 0 hides it"}
  }
}`, `{"key": "home", "type": "address", "label": {"zh-CN": "家庭住址", "en": "Home address"}, "level": "district"}`)})
}

func (t *addressType) settings(f *Field) *addressSettings {
	return settingsOf(t.spec.Key, f, func(s *addressSettings) {
		if addressLevels[s.Level] == 0 {
			s.Level = "district"
		}
		if s.DetailLength == nil {
			n := addressDetailMax
			s.DetailLength = &n
		}
	})
}

// Check validates the settings against the schema.
func (t *addressType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is an object; its parts are filterable as address.province etc.
func (t *addressType) Stored(*Field) Stored {
	sub := make([]query.Field, len(addressParts))
	for i, p := range addressParts {
		sub[i] = query.Field{Path: p, Kind: query.KindString}
	}
	return Stored{Kind: query.KindString, Ops: opsExists, Sub: sub}
}

// Schema is the object of codes and detail.
func (t *addressType) Schema(f *Field) map[string]any {
	code := map[string]any{"type": "string", "pattern": `^\d{6}$`}
	return map[string]any{
		"type": "object", "additionalProperties": false,
		"properties": map[string]any{
			"province": code, "city": code, "district": code,
			"detail": map[string]any{"type": "string", "maxLength": *t.settings(f).DetailLength},
		},
	}
}

// Normalize checks each code's shape, the province against the table, and
// that each level lies inside the one above. Every part is optional, but a
// part needs the one above it; an address with no part is no value.
func (t *addressType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	m, ok := asObject(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.object")}
	}
	s := t.settings(f)
	fe := unknownKeys(c, m, addressParts...)
	out := map[string]any{}
	for _, part := range addressParts {
		pv, present := m[part]
		if !present || pv == nil {
			continue
		}
		pc := c.at(part)
		text, ok, bad := trimmedText(pc, pv)
		switch {
		case bad != nil:
			fe = append(fe, bad...)
		case !ok:
		case part == "detail" && utf8.RuneCountInString(text) > *s.DetailLength:
			fe = append(fe, pc.fail("field.max_length", *s.DetailLength))
		case part != "detail" && addressLevels[part] > addressLevels[s.Level]:
			fe = append(fe, pc.failAs("field.address", "field.address.level"))
		case part != "detail" && !areaCodeRe.MatchString(text):
			fe = append(fe, pc.failAs("field.address", "field.address.code"))
		default:
			out[part] = text
		}
	}
	fe = append(fe, addressConsistency(c, out)...)
	if fe != nil || len(out) == 0 {
		return nil, fe
	}
	return out, nil
}

// addressConsistency checks the province against the table, the city
// against the province (same first two digits) and the district against
// the city (same first four).
func addressConsistency(c Ctx, a map[string]any) []errs.FieldError {
	var fe []errs.FieldError
	prov, _ := a["province"].(string)
	city, _ := a["city"].(string)
	dist, _ := a["district"].(string)
	if _, ok := provinceByCode[prov]; prov != "" && !ok {
		fe = append(fe, c.at("province").failAs("field.address", "field.address.province", prov))
	}
	switch {
	case city == "":
	case prov == "":
		fe = append(fe, c.at("city").failAs("field.address", "field.address.parent"))
	case city[:2] != prov[:2] || city[2:4] == "00" || city[4:] != "00":
		fe = append(fe, c.at("city").failAs("field.address", "field.address.city"))
	}
	switch {
	case dist == "":
	case city == "":
		fe = append(fe, c.at("district").failAs("field.address", "field.address.parent"))
	case dist[:4] != city[:4] || dist[4:] == "00":
		fe = append(fe, c.at("district").failAs("field.address", "field.address.district"))
	}
	return fe
}

// Parse reads a JSON object cell as is; otherwise a leading province name
// ("广东省深圳市南山区…", "广东 深圳…") gives the province and the rest
// becomes the detail, so an import keeps every character of the cell.
func (t *addressType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	if v, ok := cellObject(s); ok {
		return v, nil
	}
	for _, p := range provinces {
		for _, name := range []string{p.Name, p.Short} {
			if rest, ok := strings.CutPrefix(s, name); ok {
				out := map[string]any{"province": p.Code}
				if rest = strings.TrimSpace(rest); rest != "" {
					out["detail"] = rest
				}
				return out, nil
			}
		}
	}
	return map[string]any{"detail": s}, nil
}
