// Package form holds the schemaVersion steps of the "form" definition kind.
package form

import "github.com/tangram/tangram/engine/meta/migrate"

func init() { migrate.Register("form", 1, v2) }

// v2 renames each field's "name" to "key". Version 1 called a field's
// identifier "name", which clashed with the common "name" field users add to
// their forms and with "key" everywhere else in the metadata. Sub-table
// fields (a field with its own "fields") are renamed recursively. A field that
// already has "key" keeps it and its "name" is left alone, so nothing a user
// wrote is lost.
func v2(spec map[string]any) (map[string]any, error) {
	renameFieldNames(spec["fields"])
	return spec, nil
}

func renameFieldNames(fields any) {
	list, ok := fields.([]any)
	if !ok {
		return
	}
	for _, it := range list {
		f, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if name, has := f["name"]; has {
			if _, hasKey := f["key"]; !hasKey {
				f["key"] = name
				delete(f, "name")
			}
		}
		renameFieldNames(f["fields"])
	}
}
