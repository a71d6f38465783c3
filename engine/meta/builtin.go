package meta

import (
	"embed"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	// The steps that upgrade older spec formats of the built-in kinds.
	_ "github.com/tangram/tangram/engine/meta/migrate/dashboard"
	_ "github.com/tangram/tangram/engine/meta/migrate/form"
	_ "github.com/tangram/tangram/engine/meta/migrate/report"
)

//go:embed schemas/*.json
var builtinSchemas embed.FS

// builtinKinds lists the kinds Tangram ships, with their current format.
// Raising a SchemaVersion here needs a step in engine/meta/migrate/<kind>.
var builtinKinds = []struct {
	kind    Kind
	version int
	check   func(json.RawMessage) []errs.FieldError
}{
	{KindApp, 1, checkApp},
	{KindForm, 2, checkForm},
	{KindView, 1, checkView},
	{KindFlow, 1, checkFlow},
	{KindAutomation, 1, checkAutomation},
	{KindRule, 1, checkRule},
	{KindAction, 1, checkAction},
	{KindReport, 2, checkReport},
	{KindDashboard, 2, checkDashboard},
	{KindPage, 1, checkPage},
	{KindRole, 1, checkRole},
}

func init() {
	for _, b := range builtinKinds {
		schema, err := builtinSchemas.ReadFile("schemas/" + string(b.kind) + ".json")
		if err != nil {
			panic("meta: missing meta-schema for kind " + string(b.kind))
		}
		RegisterKind(KindSpec{Kind: b.kind, SchemaVersion: b.version, Schema: schema, Check: b.check})
	}
}
