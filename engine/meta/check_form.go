package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

type formField struct {
	Key     string `json:"key"`
	Options []struct {
		Value string `json:"value"`
	} `json:"options"`
	Fields []formField `json:"fields"`
}

// checkForm finds what the form meta-schema cannot: duplicate field keys
// (per level: a sub-table's columns are their own namespace), duplicate
// option values, and layout or titleField entries naming no field.
func checkForm(spec json.RawMessage) []errs.FieldError {
	var f struct {
		TitleField string      `json:"titleField"`
		Fields     []formField `json:"fields"`
		Layout     struct {
			Sections []struct {
				Fields []string `json:"fields"`
			} `json:"sections"`
		} `json:"layout"`
	}
	decodeLoose(spec, &f)
	var p problems
	checkFields(&p, f.Fields, "fields")
	keys := map[string]bool{}
	for _, fd := range f.Fields {
		keys[fd.Key] = true
	}
	if f.TitleField != "" && !keys[f.TitleField] {
		p.add("titleField", "meta.unknown_field", "no field has the key %q", f.TitleField)
	}
	placed := map[string]string{}
	for s, sec := range f.Layout.Sections {
		for i, k := range sec.Fields {
			path := fmt.Sprintf("layout.sections[%d].fields[%d]", s, i)
			if !keys[k] {
				p.add(path, "meta.unknown_field", "no field has the key %q", k)
				continue
			}
			p.unique(placed, k, path, "field")
		}
	}
	return p
}

func checkFields(p *problems, fields []formField, base string) {
	seen := map[string]string{}
	for i, fd := range fields {
		path := fmt.Sprintf("%s[%d]", base, i)
		p.unique(seen, fd.Key, path+".key", "field key")
		values := map[string]string{}
		for o, opt := range fd.Options {
			p.unique(values, opt.Value, fmt.Sprintf("%s.options[%d].value", path, o), "option value")
		}
		if len(fd.Fields) > 0 {
			checkFields(p, fd.Fields, path+".fields")
		}
	}
}
