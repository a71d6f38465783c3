package meta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tangram/tangram/engine/errs"
)

// checkReport checks that each measure has what its operation needs (count
// takes no field, formula a formula, the others a field) and that output
// names are unique. Default names follow engine/query: the field (with its
// bucket: "createdAt_month"), or the operation and field ("sum_amount"),
// with dots of relation paths turned into "_"; quantile and bin
// dimensions end in "_score" and "_bin" (engine/report names them so).
func checkReport(spec json.RawMessage) []errs.FieldError {
	var r struct {
		Dimensions []struct {
			Field     string `json:"field"`
			Bucket    string `json:"bucket"`
			Bins      []any  `json:"bins"`
			Quantiles int    `json:"quantiles"`
			As        string `json:"as"`
		} `json:"dimensions"`
		Measures []struct {
			Op      string `json:"op"`
			Field   string `json:"field"`
			Formula string `json:"formula"`
			As      string `json:"as"`
		} `json:"measures"`
	}
	decodeLoose(spec, &r)
	var p problems
	names := map[string]string{}
	for i, d := range r.Dimensions {
		path := fmt.Sprintf("dimensions[%d]", i)
		name := d.As
		if name == "" && d.Field != "" {
			name = d.Field
			switch {
			case d.Bucket != "":
				name += "_" + d.Bucket
			case d.Quantiles != 0:
				name += "_score"
			case d.Bins != nil:
				name += "_bin"
			}
		}
		p.unique(names, outputName(name), path+".as", "output name")
	}
	for i, m := range r.Measures {
		path := fmt.Sprintf("measures[%d]", i)
		switch m.Op {
		case "":
		case "count":
			if m.Field != "" {
				p.add(path+".field", "meta.measure", "count takes no field (use countDistinct)")
			}
		case "formula":
			if m.Formula == "" {
				p.add(path+".formula", "meta.measure", "a formula measure needs a formula")
			}
			if m.As == "" {
				p.add(path+".as", "meta.measure", "a formula measure needs an output name")
			}
		case "baskets", "support", "confidence", "confidenceBA", "lift":
			// Pair measures (engine/report/pairs.go) read the pairs
			// dimension, no field; the report engine checks the rest.
		default:
			if m.Field == "" {
				p.add(path+".field", "meta.measure", "%s needs a field", m.Op)
			}
		}
		name := m.As
		if name == "" && m.Op != "" && m.Op != "formula" {
			name = m.Op
			if m.Field != "" {
				name += "_" + m.Field
			}
		}
		p.unique(names, outputName(name), path+".as", "output name")
	}
	return p
}

func outputName(s string) string { return strings.ReplaceAll(s, ".", "_") }
