package sqlite

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/store"
)

// maxIDLen bounds caller-chosen ids; ids are primary keys and appear in
// every index entry.
const maxIDLen = 256

// encodeDoc returns the id and the JSONB of doc without its "_id", which
// lives in the id column. The caller's map is not modified.
func encodeDoc(doc store.Doc) (id string, body []byte, err error) {
	keys := make([]string, 0, len(doc))
	for k, v := range doc {
		if k != "_id" {
			keys = append(keys, k)
			continue
		}
		s, ok := v.(string)
		if !ok && v != nil {
			return "", nil, store.Wrapf(store.ErrInvalid, nil, "_id must be a string")
		}
		id = s
	}
	if len(id) > maxIDLen || !utf8.ValidString(id) {
		return "", nil, store.Wrapf(store.ErrInvalid, nil, "_id must be valid text of at most %d bytes", maxIDLen)
	}
	slices.Sort(keys)
	body = reserveHeader(make([]byte, 0, 64+32*len(keys)))
	for _, k := range keys {
		body = appendJSONBString(body, k)
		if body, err = appendJSONB(body, doc[k], 1); err != nil {
			return "", nil, err
		}
	}
	return id, finishHeader(body, 0, jbObject), nil
}

// marshalJSON encodes a document or a patch value. HTML escaping is off so
// stored text stays as written; NaN and infinities (not JSON) are refused.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, store.Wrapf(store.ErrInvalid, err, "the document cannot be stored as JSON")
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encode appends a newline
}

// decodeDoc reads a stored document (JSONB, see jsonb.go) with every
// number as json.Number, so integers stay exact and decimals keep their
// text ("10.50").
func decodeDoc(id string, body []byte) (store.Doc, error) {
	r := jsonbReader{b: body, s: string(body)}
	t, _, _, err := r.header(0)
	if err != nil || t != jbObject {
		return nil, errInternal(errBadJSONB, "a stored document is not a JSON object")
	}
	v, next, err := r.value(0, 0)
	if err != nil {
		return nil, errInternal(err, "a stored document cannot be read")
	}
	if next != len(body) {
		return nil, errInternal(errBadJSONB, "a stored document has trailing data")
	}
	doc := v.(map[string]any)
	doc["_id"] = id
	return doc, nil
}
