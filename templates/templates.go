// Package templates ships Tangram's app templates — the retail CRM and the
// core it shares with the other CRM templates — as metadata files embedded
// in the binary, and installs them into an app (install.go).
//
// A template is a directory of JSON files, one per definition:
// "<kind>s/<key>.json" (forms/members.json, rules/tier-levels.json,
// actions/checkout.json, ...) holding {"key": ..., <spec>} — an action's
// script may sit beside it as <key>.js (scripts.go) — plus app.json
// for the app definition and template.json, the manifest, whose "layers"
// name directories applied first (the shared core). A later layer's file
// replaces an earlier one with the same kind and key. Only directories
// with a manifest are installable templates; core is a layer only. Every
// file is validated against the meta-schemas and installed into a real
// store by this package's tests, so a template never ships a definition
// the engine would refuse.
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

//go:embed core crm-retail
var files embed.FS

// manifestFile names a template's manifest.
const manifestFile = "template.json"

// Manifest is the content of template.json.
type Manifest struct {
	Title       map[string]string `json:"title"`
	Description map[string]string `json:"description"`
	// Layers are directories applied before the template's own, in order.
	Layers []string `json:"layers"`
}

// Info describes an installable template.
type Info struct {
	Name        string            `json:"name"`
	Title       map[string]string `json:"title"`
	Description map[string]string `json:"description"`
	Definitions int               `json:"definitions"`
}

// Template is a loaded template: its definitions after layering, app first
// then by kind and key. Their App is empty and the app definition's key
// too; Bundle fills both with the target app.
type Template struct {
	Info
	Definitions []meta.Definition
}

// ErrNotFound is returned for a template name that is not shipped.
var ErrNotFound = errs.New(errs.NotFound, "template.not_found", "no such template")

// List returns the installable templates, by name.
func List() ([]Info, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		if _, err := fs.Stat(files, path.Join(e.Name(), manifestFile)); err != nil {
			continue
		}
		t, err := Load(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, t.Info)
	}
	return out, nil
}

// Load reads a template and its layers.
func Load(name string) (*Template, error) {
	if !meta.ValidKey(name) {
		return nil, errs.New(ErrNotFound.Class, ErrNotFound.Code, "no template %q", name)
	}
	raw, err := fs.ReadFile(files, path.Join(name, manifestFile))
	if err != nil {
		return nil, errs.New(ErrNotFound.Class, ErrNotFound.Code, "no template %q", name)
	}
	var m Manifest
	if err := strictJSON(raw, &m); err != nil {
		return nil, fmt.Errorf("template %s: %s: %w", name, manifestFile, err)
	}
	byRef := map[string]meta.Definition{}
	libs := map[string]string{}
	for _, dir := range append(append([]string(nil), m.Layers...), name) {
		if err := loadDir(dir, byRef, libs); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
	}
	if _, ok := byRef[string(meta.KindApp)+"/"]; !ok {
		return nil, fmt.Errorf("template %s: no app.json", name)
	}
	defs := make([]meta.Definition, 0, len(byRef))
	for _, d := range byRef {
		defs = append(defs, d)
	}
	sort.Slice(defs, func(i, j int) bool {
		a, b := defs[i], defs[j]
		if (a.Kind == meta.KindApp) != (b.Kind == meta.KindApp) {
			return a.Kind == meta.KindApp
		}
		return a.Ref() < b.Ref()
	})
	return &Template{Info: Info{Name: name, Title: m.Title, Description: m.Description, Definitions: len(defs)}, Definitions: defs}, nil
}

// loadDir adds the definitions of one layer directory to byRef ("kind/key"),
// replacing those of earlier layers, and its script library to libs.
func loadDir(dir string, byRef map[string]meta.Definition, libs map[string]string) error {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return fmt.Errorf("layer %q: %w", dir, err)
	}
	if err := loadLib(dir, libs); err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == manifestFile || name == libDir || !e.IsDir() && !strings.HasSuffix(name, ".json"):
			continue // the manifest, the script library, a README
		case name == "app.json":
			spec, _, err := readDef(path.Join(dir, name), false)
			if err != nil {
				return err
			}
			byRef[string(meta.KindApp)+"/"] = meta.Definition{Kind: meta.KindApp, Spec: spec}
			continue
		case !e.IsDir():
			return fmt.Errorf("%s/%s: only app.json and %s may sit beside the kind directories", dir, name, manifestFile)
		}
		kind := meta.Kind(strings.TrimSuffix(name, "s"))
		if _, ok := meta.LookupKind(kind); !ok || kind == meta.KindApp || !strings.HasSuffix(name, "s") {
			return fmt.Errorf("%s/%s: not a kind directory (kinds: %v)", dir, name, meta.KindNames())
		}
		list, err := fs.ReadDir(files, path.Join(dir, name))
		if err != nil {
			return err
		}
		for _, f := range list {
			p := path.Join(dir, name, f.Name())
			if kind == meta.KindAction && strings.HasSuffix(p, ".js") && !f.IsDir() {
				continue // read with its action below
			}
			key, ok := strings.CutSuffix(f.Name(), ".json")
			if f.IsDir() || !ok || !meta.ValidKey(key) {
				return fmt.Errorf("%s: want <key>.json with a valid definition key", p)
			}
			spec, fileKey, err := readDef(p, true)
			if err != nil {
				return err
			}
			if fileKey != key {
				return fmt.Errorf("%s: key %q differs from the file name", p, fileKey)
			}
			if kind == meta.KindAction {
				if spec, err = withScript(spec, strings.TrimSuffix(p, ".json")+".js", libs); err != nil {
					return err
				}
			}
			byRef[string(kind)+"/"+key] = meta.Definition{Kind: kind, Key: key, Spec: spec}
		}
	}
	return nil
}

// readDef reads a definition file: its spec, and its "key" (required
// when withKey; app.json has none, the app's key is the target app).
func readDef(p string, withKey bool) (json.RawMessage, string, error) {
	raw, err := fs.ReadFile(files, p)
	if err != nil {
		return nil, "", err
	}
	var obj map[string]json.RawMessage
	if err := strictJSON(raw, &obj); err != nil {
		return nil, "", fmt.Errorf("%s: %w", p, err)
	}
	var key string
	if withKey {
		if err := json.Unmarshal(obj["key"], &key); err != nil || key == "" {
			return nil, "", fmt.Errorf("%s: needs a string \"key\"", p)
		}
		delete(obj, "key")
	}
	spec, err := json.Marshal(obj)
	return spec, key, err
}

// strictJSON decodes one JSON value, refusing unknown fields of structs.
func strictJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

// Bundle is the template as an app export file for app: what meta.Import
// installs.
func (t *Template) Bundle(app string) meta.Bundle {
	defs := make([]meta.Definition, len(t.Definitions))
	for i, d := range t.Definitions {
		d.App = app
		if d.Kind == meta.KindApp {
			d.Key = app
		}
		d.Status = meta.StatusDraft
		defs[i] = d
	}
	return meta.Bundle{Format: meta.BundleFormat, FormatVersion: meta.BundleFormatVersion, App: app, Definitions: defs}
}
