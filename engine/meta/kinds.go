package meta

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
)

// KindSpec describes a kind of definition: its current format and how to
// validate a spec of that format. Built-in kinds register in this package's
// init(); a plugin may register more the same way.
type KindSpec struct {
	// Kind is the unique name, used in URLs and store ids (a valid key).
	Kind Kind
	// SchemaVersion is the current format. Specs written with an older one
	// are upgraded by the steps registered in engine/meta/migrate, which must
	// cover every version from 1 up to this one.
	SchemaVersion int
	// Schema is the JSON Schema (draft-07) of the current format. It may
	// refer to the shared building blocks as
	// "common.json#/definitions/<name>" when its $id sits beside it
	// (https://tangram.dev/schemas/meta/<kind>.json).
	Schema []byte
	// Check is optional: semantic checks a JSON Schema cannot express
	// (duplicate keys, references between parts of the spec). It runs after
	// the schema, even when the schema found problems, so it must tolerate
	// malformed input. Paths are relative to the spec ("fields[2].key").
	Check func(spec json.RawMessage) []errs.FieldError
}

// kindEntry is a registered kind with its compiled schema.
type kindEntry struct {
	KindSpec
	schema *gojsonschema.Schema
}

var kinds = ext.NewRegistry[*kindEntry]("definition kinds")

//go:embed schemas/common.json
var commonSchema []byte

// RegisterKind adds a kind. A duplicate kind, an invalid name or version, or
// a schema that does not compile panics: all are programming errors that
// must stop the server at start-up.
func RegisterKind(ks KindSpec) {
	if !ValidKey(string(ks.Kind)) || ks.SchemaVersion < 1 {
		panic(fmt.Sprintf("meta: bad kind spec %q (schemaVersion %d)", ks.Kind, ks.SchemaVersion))
	}
	s, err := compileSchema(ks.Schema)
	if err != nil {
		panic(fmt.Sprintf("meta: meta-schema of kind %q: %v", ks.Kind, err))
	}
	kinds.Register(string(ks.Kind), &kindEntry{KindSpec: ks, schema: s})
}

// compileSchema compiles a meta-schema with the shared definitions available
// to its $refs. The schema itself is checked against the draft-07
// meta-schema so a typo in a keyword's value fails at start-up.
func compileSchema(raw []byte) (*gojsonschema.Schema, error) {
	sl := gojsonschema.NewSchemaLoader()
	sl.Draft = gojsonschema.Draft7
	sl.AutoDetect = false
	sl.Validate = true
	if err := sl.AddSchemas(gojsonschema.NewBytesLoader(commonSchema)); err != nil {
		return nil, fmt.Errorf("common.json: %w", err)
	}
	return sl.Compile(gojsonschema.NewBytesLoader(raw))
}

// addedChecks are semantic checks that other engines add to a kind: the
// form engine checks field-type settings of "form" specs this way, since
// meta cannot import the engines that import it.
var (
	addMu       sync.RWMutex
	addedChecks = map[Kind][]func(spec json.RawMessage) []errs.FieldError{}
)

// AddCheck adds a semantic check to kind, run after the schema and the
// kind's own Check on every validation, with the same contract as
// KindSpec.Check (tolerate malformed input; paths relative to the spec).
// Engines call it from init().
func AddCheck(kind Kind, fn func(spec json.RawMessage) []errs.FieldError) {
	addMu.Lock()
	defer addMu.Unlock()
	addedChecks[kind] = append(addedChecks[kind], fn)
}

// LookupKind returns the registered spec of a kind.
func LookupKind(k Kind) (KindSpec, bool) {
	e, ok := kinds.Get(string(k))
	if !ok {
		return KindSpec{}, false
	}
	return e.KindSpec, true
}

// KindNames lists the registered kinds, sorted.
func KindNames() []string { return kinds.Keys() }

// ErrUnknownKind is returned for a kind nobody registered; in a URL it is a
// path that does not exist, hence 404.
var ErrUnknownKind = errs.New(errs.NotFound, "meta.unknown_kind", "unknown definition kind")

func kindOf(k Kind) (*kindEntry, error) {
	e, ok := kinds.Get(string(k))
	if !ok {
		return nil, errs.New(errs.NotFound, ErrUnknownKind.Code, "unknown definition kind %q (known: %v)", k, KindNames())
	}
	return e, nil
}
