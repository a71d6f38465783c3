package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

// gridColumns is the width of the dashboard grid.
const gridColumns = 24

// checkDashboard checks that widget ids and filter keys are unique and that
// no widget reaches past the grid's right edge.
func checkDashboard(spec json.RawMessage) []errs.FieldError {
	var d struct {
		Filters []struct {
			Key string `json:"key"`
		} `json:"filters"`
		Widgets []struct {
			ID string `json:"id"`
			X  int    `json:"x"`
			W  int    `json:"w"`
		} `json:"widgets"`
	}
	decodeLoose(spec, &d)
	var p problems
	keys := map[string]string{}
	for i, f := range d.Filters {
		p.unique(keys, f.Key, fmt.Sprintf("filters[%d].key", i), "filter key")
	}
	ids := map[string]string{}
	for i, w := range d.Widgets {
		path := fmt.Sprintf("widgets[%d]", i)
		p.unique(ids, w.ID, path+".id", "widget id")
		if w.X+w.W > gridColumns {
			p.add(path+".w", "meta.grid", "the widget ends at column %d; the grid has %d", w.X+w.W, gridColumns)
		}
	}
	return p
}

// checkPage checks that block ids are unique: the builder and links address
// blocks by id.
func checkPage(spec json.RawMessage) []errs.FieldError {
	var pg struct {
		Blocks []struct {
			ID string `json:"id"`
		} `json:"blocks"`
	}
	decodeLoose(spec, &pg)
	var p problems
	ids := map[string]string{}
	for i, b := range pg.Blocks {
		p.unique(ids, b.ID, fmt.Sprintf("blocks[%d].id", i), "block id")
	}
	return p
}

// checkView checks that no column shows the same field twice.
func checkView(spec json.RawMessage) []errs.FieldError {
	var v struct {
		Columns []struct {
			Field string `json:"field"`
		} `json:"columns"`
	}
	decodeLoose(spec, &v)
	var p problems
	seen := map[string]string{}
	for i, c := range v.Columns {
		p.unique(seen, c.Field, fmt.Sprintf("columns[%d].field", i), "column field")
	}
	return p
}
