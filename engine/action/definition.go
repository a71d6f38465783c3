package action

import (
	"context"
	"encoding/json"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
)

// spec is the body of an action definition (engine/meta/schemas/action.json).
type spec struct {
	Input     map[string]any `json:"input"`
	Output    map[string]any `json:"output"`
	Script    string         `json:"script"`
	TimeoutMs int            `json:"timeoutMs"`
	RunAs     string         `json:"runAs"`
}

// compiled is one published version of an action, ready to run: schemas
// and script are compiled once per version, not per request.
type compiled struct {
	app, key string
	version  int
	input    *gojsonschema.Schema
	output   *gojsonschema.Schema // nil: the output is not checked
	program  *script.Program
	timeout  time.Duration
	runAs    string
	// spec is how often this action's speculations were wasted
	// (speculate.go): an action whose runs keep conflicting runs inside
	// the writer instead.
	spec specHealth
}

// definition returns the compiled published version of an action. Reading
// the definition's head is one get by id (meta's cache), so a publish on
// any instance is seen by the next run.
func (s *Service) definition(ctx context.Context, app, key string) (*compiled, error) {
	def, err := s.meta.Published(ctx, app, meta.KindAction, key)
	if err != nil {
		return nil, err
	}
	ck := app + "/" + key
	if v, ok := s.defs.Load(ck); ok && v.(*compiled).version == def.Version {
		return v.(*compiled), nil
	}
	c, err := compileAction(def)
	if err != nil {
		return nil, err
	}
	// Published versions only grow; a slow compile must not replace a
	// newer one stored meanwhile.
	for {
		v, loaded := s.defs.LoadOrStore(ck, c)
		if !loaded || v.(*compiled).version >= c.version || s.defs.CompareAndSwap(ck, v, c) {
			return c, nil
		}
	}
}

// compileAction compiles a definition's schemas and script. A published
// definition passed the meta-schema and checkAction's script compile, so
// an error here means it was published by an older server; it is reported
// as the definition's fault (422 with the path in the definition).
func compileAction(def meta.Definition) (*compiled, error) {
	var sp spec
	if err := json.Unmarshal(def.Spec, &sp); err != nil {
		return nil, errs.Wrap(err, errs.Internal, "action.definition", "action %s cannot be read", def.Key)
	}
	c := &compiled{app: def.App, key: def.Key, version: def.Version, runAs: sp.RunAs, timeout: timeoutOf(sp.TimeoutMs)}
	var err error
	if c.input, err = compileSchema(sp.Input, "spec.input"); err != nil {
		return nil, err
	}
	if sp.Output != nil {
		if c.output, err = compileSchema(sp.Output, "spec.output"); err != nil {
			return nil, err
		}
	}
	if c.program, err = script.Compile(sp.Script); err != nil {
		return nil, script.AtPath(err, "spec.script")
	}
	return c, nil
}

// compileSchema compiles an input or output schema. A missing input
// schema accepts any input.
func compileSchema(schema map[string]any, path string) (*gojsonschema.Schema, error) {
	if schema == nil {
		schema = map[string]any{}
	}
	sl := gojsonschema.NewSchemaLoader()
	sc, err := sl.Compile(gojsonschema.NewGoLoader(schema))
	if err != nil {
		return nil, &errs.Error{Class: errs.Unprocessable, Code: "action.definition", Msg: "the action's schema does not compile",
			Fields: []errs.FieldError{{Path: path, Code: "meta.json_schema", Message: err.Error()}}, Cause: err}
	}
	return sc, nil
}

// timeoutOf is the script deadline of a definition: its timeoutMs, 2 s by
// default, never more than MaxTimeout (the meta-schema refuses more; an
// older definition is capped).
func timeoutOf(ms int) time.Duration {
	if ms <= 0 {
		return DefaultTimeout
	}
	return min(time.Duration(ms)*time.Millisecond, MaxTimeout)
}
