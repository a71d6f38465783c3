// Package dashboard holds the schemaVersion steps of the "dashboard"
// definition kind.
package dashboard

import "github.com/tangram/tangram/engine/meta/migrate"

func init() { migrate.Register("dashboard", 1, v2) }

// v2 adds optional properties only: the roles that see a dashboard, a
// filter's default value and a widget's parameter bindings. A version 1
// filter already passed its value to the widgets' parameters of the same
// key, which is what version 2 does when a widget binds nothing, so the
// step changes nothing.
func v2(spec map[string]any) (map[string]any, error) { return spec, nil }
