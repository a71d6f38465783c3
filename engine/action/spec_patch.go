package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The store's document rules, mirrored in memory for speculative runs
// (spec.go): what a document looks like once stored and read back, and
// what store.Patch makes of it. Every successful write is replayed in the
// store at commit and its result compared, so a difference here costs a
// redone run, never a wrong one; every refusal (an invalid patch, a path
// below a value that is not an object, an increment of a non-integer)
// gives the speculation up instead of guessing the store's error.

// maxIDLen is the store's bound on caller-chosen ids.
const maxIDLen = 256

// errSpecShape gives a speculation up on a write the store would refuse:
// the run inside the writer then meets the store's own error.
var errSpecShape = errors.New("a write the store would refuse")

// normalizeInsert returns the id of a document to insert (a new one when
// it has none) and the document as the store would give it back: through
// JSON, numbers as json.Number, with "_id".
func normalizeInsert(doc store.Doc) (string, store.Doc, error) {
	id := ""
	if v, ok := doc["_id"]; ok {
		s, isStr := v.(string)
		if !isStr && v != nil {
			return "", nil, errSpecShape
		}
		id = s
	}
	if len(id) > maxIDLen || !utf8.ValidString(id) {
		return "", nil, errSpecShape
	}
	if id == "" {
		id = store.NewID()
	}
	v, err := normalizeValue(map[string]any(doc))
	if err != nil {
		return "", nil, err
	}
	norm, ok := v.(map[string]any)
	if !ok {
		norm = map[string]any{} // a nil document is stored as {}
	}
	norm["_id"] = id
	return id, norm, nil
}

// normalizeValue is v as the store gives it back: what one JSON round
// trip keeping numbers' text makes of it. The values engine code writes
// (maps, lists, strings, booleans, integers, json.Number) are converted
// directly, which is several times cheaper than the round trip; anything
// else (floats, structs, typed lists, text that is not UTF-8) takes the
// round trip. NaN and infinities fail, as in the store.
func normalizeValue(v any) (any, error) {
	// v itself, not x, where the value stays: returning x would box the
	// string again (an allocation per text of every document written).
	switch x := v.(type) {
	case nil, bool:
		return v, nil
	case string:
		if utf8.ValidString(x) {
			return v, nil
		}
	case json.Number:
		if validNumber(string(x)) {
			return v, nil
		}
	case int:
		return json.Number(strconv.FormatInt(int64(x), 10)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10)), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			if !utf8.ValidString(k) {
				return roundTrip(v)
			}
			n, err := normalizeValue(it)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			n, err := normalizeValue(it)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	return roundTrip(v)
}

// roundTrip is normalizeValue the slow way: through JSON text.
func roundTrip(v any) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, errSpecShape
	}
	out, err := decodeJSON(buf.Bytes())
	if err != nil {
		return nil, errSpecShape
	}
	return out, nil
}

// validNumber reports whether s is a JSON number, which encoding/json
// writes as it is (it rewrites "" as 0 and refuses anything else).
func validNumber(s string) bool {
	i, n := 0, len(s)
	digits := func() bool {
		start := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < n && s[i] == '-' {
		i++
	}
	switch {
	case i < n && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < n && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == n
}

// normalizePatch checks a patch as the store does (valid paths, never
// "_id", no path inside another) and returns a copy whose set values are
// normalized, so the caller's later changes to its maps cannot reach the
// buffered write.
func normalizePatch(p store.Patch) (store.Patch, error) {
	var all []string
	out := store.Patch{}
	if len(p.Set) > 0 {
		out.Set = make(map[string]any, len(p.Set))
		for k, v := range p.Set {
			nv, err := normalizeValue(v)
			if err != nil {
				return store.Patch{}, err
			}
			out.Set[k] = nv
			all = append(all, k)
		}
	}
	if len(p.Unset) > 0 {
		out.Unset = append([]string(nil), p.Unset...)
		all = append(all, p.Unset...)
	}
	if len(p.Inc) > 0 {
		out.Inc = make(map[string]int64, len(p.Inc))
		for k, d := range p.Inc {
			out.Inc[k] = d
			all = append(all, k)
		}
	}
	sort.Strings(all)
	for i, k := range all {
		if k == "_id" || strings.HasPrefix(k, "_id.") || !query.ValidPath(k) {
			return store.Patch{}, errSpecShape
		}
		if i > 0 && (all[i-1] == k || strings.HasPrefix(k, all[i-1]+".")) {
			return store.Patch{}, errSpecShape
		}
	}
	return out, nil
}

// applyPatch returns the new version of doc (which it leaves alone): the
// unset paths removed, then the set paths set and the increments added,
// missing parent objects created. It fails where the store refuses: a
// parent of a set or incremented path that is present and not an object
// (null included), an increment of anything but an integer, null or a
// missing value, or one leaving the int64 range.
func applyPatch(doc store.Doc, p store.Patch) (store.Doc, error) {
	for _, k := range append(sortedKeys(p.Set), sortedKeys(p.Inc)...) {
		for i := 0; i < len(k); i++ {
			if k[i] != '.' {
				continue
			}
			if v, ok := query.Lookup(doc, k[:i]); ok {
				if _, isObj := v.(map[string]any); !isObj {
					return nil, errSpecShape
				}
			}
		}
	}
	incs := make(map[string]int64, len(p.Inc))
	for k, d := range p.Inc {
		old := int64(0)
		if v, ok := query.Lookup(doc, k); ok && v != nil {
			n, isInt := integer(v)
			if !isInt {
				return nil, errSpecShape
			}
			old = n
		}
		if (d > 0 && old > math.MaxInt64-d) || (d < 0 && old < math.MinInt64-d) {
			return nil, errSpecShape
		}
		incs[k] = old + d
	}
	next := copyDoc(doc)
	for _, k := range p.Unset {
		parts := strings.Split(k, ".")
		parent, ok := walk(next, parts[:len(parts)-1], false)
		if ok {
			delete(parent, parts[len(parts)-1])
		}
	}
	for k, v := range p.Set {
		setPath(next, k, v)
	}
	for k, n := range incs {
		setPath(next, k, json.Number(strconv.FormatInt(n, 10)))
	}
	return next, nil
}

// unchangedIf returns the conditions under which an update of old by p,
// replayed in the store and returning the document the run computed,
// proves that the store's document was old: then no read of it need be
// made again. The returned document fixes every path p leaves alone; an
// incremented path is fixed by its result when old holds a non-zero
// integer there (the store increments only integers, counting null as 0);
// a set or removed path needs a condition that it still holds old's
// value, which a filter states exactly only for text (a number never
// equals text in the store; text that could be an object's or a list's
// JSON is left out, as the store compares those as their text). ok is
// false when some path cannot be fixed.
func unchangedIf(old store.Doc, p store.Patch) (same []*query.Node, ok bool) {
	for k := range p.Inc {
		v, found := query.Lookup(old, k)
		if n, isInt := integer(v); !found || !isInt || n == 0 {
			return nil, false
		}
	}
	for _, k := range append(sortedKeys(p.Set), p.Unset...) {
		v, _ := query.Lookup(old, k)
		s, isText := v.(string)
		if !isText || strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
			return nil, false
		}
		same = append(same, query.Eq(query.Field{Path: k, Kind: query.KindString}, query.Str(s)))
	}
	return same, true
}

// integer reads a stored integer (json.Number without fraction or
// exponent, within int64).
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if strings.ContainsAny(s, ".eE") {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

// walk follows parts below doc to an object; with create, missing objects
// are made on the way (the caller checked that no present value is in the
// way).
func walk(doc map[string]any, parts []string, create bool) (map[string]any, bool) {
	cur := doc
	for _, p := range parts {
		v, ok := cur[p]
		if !ok && create {
			next := map[string]any{}
			cur[p] = next
			cur = next
			continue
		}
		next, isObj := v.(map[string]any)
		if !ok || !isObj {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// setPath sets a dotted path of doc, creating missing parents.
func setPath(doc map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	if m, ok := walk(doc, parts[:len(parts)-1], true); ok {
		m[parts[len(parts)-1]] = v
	}
}

// copyDoc copies a document deeply (callers may change what they get).
func copyDoc(d store.Doc) store.Doc {
	if d == nil {
		return nil
	}
	return plain(map[string]any(d)).(map[string]any)
}

// copyDocs copies a list of documents.
func copyDocs(ds []store.Doc) []store.Doc {
	out := make([]store.Doc, len(ds))
	for i, d := range ds {
		out[i] = copyDoc(d)
	}
	return out
}

// sameValue reports whether two JSON values as the store gives them
// (json.Number numbers) are the same, numbers by their text.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	// Not what the store returns for a document; compared exactly anyway.
	return reflect.DeepEqual(a, b)
}

// sameDocs compares two lists of documents in order.
func sameDocs(a, b []store.Doc) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(map[string]any(a[i]), map[string]any(b[i])) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
