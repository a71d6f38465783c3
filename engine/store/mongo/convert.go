package mongo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Conversion between the port's JSON documents (map[string]any with
// json.Number numbers) and BSON. Numbers are the delicate part: money and
// points must survive a round trip exactly, so integers become int64 and
// every other json.Number becomes a Decimal128 holding the same digits; only
// a caller's float64 is stored as a double.

// maxNesting bounds document depth so a hostile document cannot exhaust the
// stack; MongoDB itself refuses documents nested deeper than 100 levels.
const maxNesting = 100

// docToBSON converts a port document into an ordered BSON document: "_id"
// first, then the other keys sorted, so stored field order is deterministic.
func docToBSON(doc store.Doc) (bson.D, error) {
	return mapToBSON(doc, "", 0)
}

func mapToBSON(m map[string]any, path string, depth int) (bson.D, error) {
	if depth > maxNesting {
		return nil, store.Wrapf(store.ErrInvalid, nil, "document is nested deeper than %d levels", maxNesting)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		// "_id" first keeps the stored layout conventional.
		if (keys[i] == "_id") != (keys[j] == "_id") {
			return keys[i] == "_id"
		}
		return keys[i] < keys[j]
	})
	out := make(bson.D, 0, len(keys))
	for _, k := range keys {
		p := joinPath(path, k)
		// A "." in a key would be read back as a path, and a leading "$" as
		// an operator; both make the stored document unqueryable.
		if k == "" || strings.Contains(k, ".") || strings.HasPrefix(k, "$") || strings.ContainsRune(k, 0) {
			return nil, store.Wrapf(store.ErrInvalid, nil, "field name %q is not allowed (empty, contains \".\", or starts with \"$\")", p)
		}
		v, err := valueToBSON(m[k], p, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, bson.E{Key: k, Value: v})
	}
	return out, nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// valueToBSON converts one JSON-ish Go value. Unknown types are refused
// rather than left to the driver's reflection, which would store structs
// and other types in shapes the rest of the engine cannot read back.
func valueToBSON(v any, path string, depth int) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string, bool:
		return x, nil
	case json.Number:
		return numberToBSON(x, path)
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		return uintToBSON(uint64(x), path)
	case uint64:
		return uintToBSON(x, path)
	case float32:
		return floatToBSON(float64(x), path)
	case float64:
		return floatToBSON(x, path)
	case primitive.Decimal128:
		if x.IsNaN() || x.IsInf() != 0 {
			return nil, store.Wrapf(store.ErrInvalid, nil, "field %q: number is not finite", path)
		}
		return x, nil
	case time.Time:
		// Times are stored as canonical strings so they compare the same
		// way in every store (see query.FormatTime).
		return query.FormatTime(x), nil
	case map[string]any:
		return mapToBSON(x, path, depth)
	case []any:
		return sliceToBSON(len(x), func(i int) any { return x[i] }, path, depth)
	case bson.D:
		m := make(map[string]any, len(x))
		for _, e := range x {
			m[e.Key] = e.Value
		}
		return mapToBSON(m, path, depth)
	}
	// Typed slices and maps ([]string, []map[string]any, map[string]int64...)
	// come from engine code rather than decoded JSON; accept them by shape.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		return sliceToBSON(rv.Len(), func(i int) any { return rv.Index(i).Interface() }, path, depth)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		if rv.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()] = it.Value().Interface()
		}
		return mapToBSON(m, path, depth)
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return valueToBSON(rv.Elem().Interface(), path, depth)
	}
	return nil, store.Wrapf(store.ErrInvalid, nil, "field %q: unsupported value type %T", path, v)
}

func sliceToBSON(n int, at func(int) any, path string, depth int) (any, error) {
	if depth > maxNesting {
		return nil, store.Wrapf(store.ErrInvalid, nil, "document is nested deeper than %d levels", maxNesting)
	}
	out := make(bson.A, n)
	for i := 0; i < n; i++ {
		v, err := valueToBSON(at(i), path+"."+strconv.Itoa(i), depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// numberToBSON stores an integral json.Number that fits as int64 and any
// other as a Decimal128 with the same digits, so "10.50" reads back as
// "10.50" and compares numerically with integers and doubles.
func numberToBSON(n json.Number, path string) (any, error) {
	s := string(n)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	d, err := primitive.ParseDecimal128(s)
	if err != nil || d.IsNaN() || d.IsInf() != 0 {
		return nil, store.Wrapf(store.ErrInvalid, err, "field %q: number %q cannot be stored exactly (at most 34 significant digits)", path, s)
	}
	return d, nil
}

func uintToBSON(u uint64, path string) (any, error) {
	if u <= math.MaxInt64 {
		return int64(u), nil
	}
	return numberToBSON(json.Number(strconv.FormatUint(u, 10)), path)
}

func floatToBSON(f float64, path string) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, store.Wrapf(store.ErrInvalid, nil, "field %q: number is not finite", path)
	}
	return f, nil
}

// docFromBSON converts a decoded BSON document into the port's form.
func docFromBSON(d bson.D) store.Doc {
	out := make(store.Doc, len(d))
	for _, e := range d {
		out[e.Key] = valueFromBSON(e.Value)
	}
	return out
}

// valueFromBSON gives what encoding/json with UseNumber would give for the
// same JSON document: json.Number with exact text, map[string]any, []any.
func valueFromBSON(v any) any {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil // not representable in JSON; never written by this adapter
		}
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	case primitive.Decimal128:
		if x.IsNaN() || x.IsInf() != 0 {
			return nil
		}
		return json.Number(decimalText(x))
	case bson.D:
		return docFromBSON(x)
	case bson.M:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = valueFromBSON(e)
		}
		return out
	case bson.A:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = valueFromBSON(e)
		}
		return out
	// The types below are never written by this adapter but may exist in a
	// database shared with other tools; render them as JSON would.
	case primitive.ObjectID:
		return x.Hex()
	case primitive.DateTime:
		return query.FormatTime(x.Time())
	case primitive.Timestamp:
		return query.FormatTime(time.Unix(int64(x.T), 0))
	case primitive.Undefined, primitive.Null:
		return nil
	case primitive.Binary:
		return base64.StdEncoding.EncodeToString(x.Data) // as encoding/json renders []byte
	}
	return fmt.Sprint(v)
}

// maxPlainExponent bounds how far decimalText writes digits out in full;
// beyond it the scientific form is shorter and still a valid JSON number.
const maxPlainExponent = 64

// decimalText renders d in plain notation with its exact digits and scale,
// so "0.0000001" and "100.00" read back as written: Decimal128.String()
// switches to scientific notation ("1E-7") for small exponents.
func decimalText(d primitive.Decimal128) string {
	coef, exp, err := d.BigInt()
	if err != nil || exp > maxPlainExponent || exp < -maxPlainExponent {
		return d.String()
	}
	h, _ := d.GetBytes()
	neg := h>>63 == 1
	digits := new(big.Int).Abs(coef).String()
	var out string
	switch {
	case exp >= 0:
		out = digits + strings.Repeat("0", exp)
	case len(digits) > -exp:
		out = digits[:len(digits)+exp] + "." + digits[len(digits)+exp:]
	default:
		out = "0." + strings.Repeat("0", -exp-len(digits)) + digits
	}
	if neg {
		out = "-" + out
	}
	return out
}
