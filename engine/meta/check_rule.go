package meta

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tangram/tangram/engine/errs"
)

// checkRule checks a decision table: column keys are unique (an output may
// not reuse an input's key), every row's conditions name inputs and its
// results name outputs, and a "sum" table only sums numbers.
func checkRule(spec json.RawMessage) []errs.FieldError {
	type column struct {
		Key  string `json:"key"`
		Type string `json:"type"`
	}
	var r struct {
		HitPolicy string   `json:"hitPolicy"`
		Inputs    []column `json:"inputs"`
		Outputs   []column `json:"outputs"`
		Rows      []struct {
			When map[string]json.RawMessage `json:"when"`
			Then map[string]json.RawMessage `json:"then"`
		} `json:"rows"`
	}
	decodeLoose(spec, &r)
	var p problems
	cols := map[string]string{}
	inputs, outputs := map[string]bool{}, map[string]bool{}
	for i, c := range r.Inputs {
		p.unique(cols, c.Key, fmt.Sprintf("inputs[%d].key", i), "column key")
		inputs[c.Key] = true
	}
	for i, c := range r.Outputs {
		p.unique(cols, c.Key, fmt.Sprintf("outputs[%d].key", i), "column key")
		outputs[c.Key] = true
		if r.HitPolicy == "sum" && c.Type != "" && c.Type != "int" && c.Type != "decimal" {
			p.add(fmt.Sprintf("outputs[%d].type", i), "meta.sum_type", "a sum table adds its outputs up, so they must be int or decimal")
		}
	}
	for i, row := range r.Rows {
		for _, k := range sortedMapKeys(row.When) {
			if !inputs[k] {
				p.add(fmt.Sprintf("rows[%d].when%s", i, pathKey(k)), "meta.unknown_column", "no input column has the key %q", k)
			}
		}
		for _, k := range sortedMapKeys(row.Then) {
			if !outputs[k] {
				p.add(fmt.Sprintf("rows[%d].then%s", i, pathKey(k)), "meta.unknown_column", "no output column has the key %q", k)
			}
		}
	}
	return p
}

func sortedMapKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
