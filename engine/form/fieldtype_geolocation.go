package form

import (
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// geolocation is a point {lat, lng} with an optional accuracy in metres
// (a store's position, where a clerk checked in). Coordinates are exact
// decimals rounded to 7 fraction digits (about 1 cm): browsers and
// WeChat hand out floats whose last digits are noise, and a point is not
// an amount, so rounding here loses nothing anyone measured.
type geolocationType struct{ typeSpec }

type geolocationSettings struct {
	CoordSystem string `json:"coordSystem"`
}

const (
	geoDigits      = 7
	accuracyDigits = 2
)

var (
	lat90, latMinus90   = decimal{whole: "90"}, decimal{neg: true, whole: "90"}
	lng180, lngMinus180 = decimal{whole: "180"}, decimal{neg: true, whole: "180"}
	geoKeys             = []string{"lat", "lng", "accuracy"}
)

func init() {
	registerType(&geolocationType{newSpec("geolocation", "定位", "Location", "picker.geolocation", "advanced", `{
  "type": "object",
  "properties": {
    "coordSystem": {"enum": ["gcj02", "wgs84", "bd09"], "default": "gcj02", "description": "datum of the coordinates: GCJ-02 for AMap, Tencent and WeChat maps, WGS-84 for GPS, BD-09 for Baidu"}
  }
}`, `{"key": "checkInAt", "type": "geolocation", "label": {"zh-CN": "签到位置", "en": "Check-in location"}, "coordSystem": "gcj02"}`)})
}

// Check validates the settings against the schema.
func (t *geolocationType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is an object; lat and lng are filterable (bounding boxes).
func (t *geolocationType) Stored(*Field) Stored {
	return Stored{Kind: query.KindString, Ops: opsExists, Sub: []query.Field{
		{Path: "lat", Kind: query.KindDecimal}, {Path: "lng", Kind: query.KindDecimal},
	}}
}

// Schema is the point object.
func (t *geolocationType) Schema(*Field) map[string]any {
	return map[string]any{
		"type": "object", "additionalProperties": false, "required": []any{"lat", "lng"},
		"properties": map[string]any{
			"lat":      map[string]any{"type": "number", "minimum": -90, "maximum": 90},
			"lng":      map[string]any{"type": "number", "minimum": -180, "maximum": 180},
			"accuracy": map[string]any{"type": "number", "minimum": 0},
		},
	}
}

// Normalize checks both coordinates are in range and rounds them; the
// accuracy, when given, must not be negative.
func (t *geolocationType) Normalize(c Ctx, _ *Field, v any) (any, []errs.FieldError) {
	m, ok := asObject(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.object")}
	}
	fe := unknownKeys(c, m, geoKeys...)
	out := map[string]any{}
	coord := func(key, msgKey string, lo, hi decimal) {
		kc := c.at(key)
		if m[key] == nil {
			fe = append(fe, kc.fail("field.required"))
			return
		}
		d, ok, bad := decimalOf(kc, m[key])
		switch {
		case bad != nil:
			fe = append(fe, bad...)
		case !ok:
			fe = append(fe, kc.fail("field.required"))
		case d.cmp(lo) < 0 || d.cmp(hi) > 0:
			fe = append(fe, kc.failAs("field.range", msgKey))
		default:
			out[key] = json.Number(d.round(geoDigits).String())
		}
	}
	coord("lat", "field.geo.lat", latMinus90, lat90)
	coord("lng", "field.geo.lng", lngMinus180, lng180)
	if m["accuracy"] != nil {
		ac := c.at("accuracy")
		d, ok, bad := decimalOf(ac, m["accuracy"])
		switch {
		case bad != nil:
			fe = append(fe, bad...)
		case ok && d.neg:
			fe = append(fe, ac.failAs("field.range", "field.geo.accuracy"))
		case ok:
			out["accuracy"] = json.Number(d.round(accuracyDigits).String())
		}
	}
	if fe != nil {
		return nil, fe
	}
	return out, nil
}

// Parse reads "lat,lng" (as map apps copy it) or a JSON object.
func (t *geolocationType) Parse(c Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	if v, ok := cellObject(s); ok {
		return v, nil
	}
	parts := cellList(s)
	if len(parts) != 2 {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.cell", s)}
	}
	return map[string]any{"lat": parts[0], "lng": parts[1]}, nil
}
