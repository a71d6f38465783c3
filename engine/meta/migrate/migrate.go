// Package migrate upgrades definition specs from an older schemaVersion to
// the current one, one registered step at a time (Grafana's model: the format
// number moves in small steps, each in its own file with before/after
// fixtures). Steps live in one package per kind, engine/meta/migrate/<kind>,
// one file vN.go per step from N-1 to N, registering in init().
//
// Specs are handled as decoded JSON (map[string]any with numbers as
// json.Number) so a step never loses precision or needs the Go types of a
// format that no longer exists.
package migrate

import (
	"fmt"

	"github.com/tangram/tangram/engine/ext"
)

// Step upgrades a spec from one schemaVersion to the next. It may modify and
// return its argument.
type Step func(spec map[string]any) (map[string]any, error)

var steps = ext.NewRegistry[Step]("migration steps")

func stepKey(kind string, from int) string { return fmt.Sprintf("%s.v%d", kind, from) }

// Register adds the step that upgrades kind's specs from schemaVersion from
// to from+1. A second step for the same kind and version panics.
func Register(kind string, from int, step Step) {
	if from < 1 || step == nil {
		panic(fmt.Sprintf("migrate: bad step for %s from v%d", kind, from))
	}
	steps.Register(stepKey(kind, from), step)
}

// Has reports whether a step from schemaVersion from to from+1 exists.
func Has(kind string, from int) bool {
	_, ok := steps.Get(stepKey(kind, from))
	return ok
}

// Upgrade applies the steps from..to-1 in order. from == to returns spec
// unchanged; a missing step or from > to is an error (a definition written
// by a newer server than this one cannot be read safely).
func Upgrade(kind string, from, to int, spec map[string]any) (map[string]any, error) {
	if from > to {
		return nil, fmt.Errorf("migrate: %s schemaVersion %d is newer than this server's %d", kind, from, to)
	}
	for v := from; v < to; v++ {
		step, ok := steps.Get(stepKey(kind, v))
		if !ok {
			return nil, fmt.Errorf("migrate: no step for %s from schemaVersion %d to %d", kind, v, v+1)
		}
		var err error
		if spec, err = step(spec); err != nil {
			return nil, fmt.Errorf("migrate: %s v%d to v%d: %w", kind, v, v+1, err)
		}
	}
	return spec, nil
}

// Steps lists the registered steps as "<kind>.v<from>", sorted; tests use it
// to insist that every step has fixtures.
func Steps() []string { return steps.Keys() }
