package report

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/query"
)

// fieldInfo is what the report engine knows about one path of its
// dataset: which form's field it reads (for field rules and labels), how
// it is stored, and how to show it.
type fieldInfo struct {
	q     query.Field // the path as the dataset names it ("store.region")
	form  *form.Form  // the form the value comes from
	join  string      // "" for the dataset's form, else the join alias
	rel   string      // the path within that form ("region")
	top   string      // its top-level field key ("region"); "" for system fields
	field *form.Field // the top-level field (nil for system fields)
}

// system reports whether the path is a system field (_id, _createdAt...),
// which every reader may use.
func (fi *fieldInfo) system() bool { return fi.top == "" }

// typ is the field's type key ("money", "select", "relation"...).
func (fi *fieldInfo) typ() string {
	if fi.field == nil {
		return ""
	}
	if fi.rel != fi.top {
		for _, sub := range fi.field.Fields {
			if fi.top+"."+sub.Key == fi.rel {
				return sub.Type
			}
		}
		return ""
	}
	return fi.field.Type
}

// label is the field's label in lang (the path when it has none).
func (fi *fieldInfo) label(lang string) string {
	if fi.field == nil {
		return fi.q.Path
	}
	l := text(fi.field.Label, lang, fi.field.Key)
	if fi.join != "" {
		return text(fi.form.Title, lang, fi.form.Key) + " · " + l
	}
	return l
}

// options maps a select field's option values to their labels in lang.
func (fi *fieldInfo) options(lang string) map[string]string {
	if fi.field == nil || fi.rel != fi.top || len(fi.field.Options) == 0 {
		return nil
	}
	out := make(map[string]string, len(fi.field.Options))
	for _, o := range fi.field.Options {
		out[o.Value] = text(o.Label, lang, o.Value)
	}
	return out
}

// relationTarget is the form a single-record relation field points to:
// ok is false for other fields, multiple for a many-record relation.
func relationTarget(fd *form.Field) (target string, multiple, ok bool) {
	if fd == nil || fd.Type != "relation" {
		return "", false, false
	}
	var s struct {
		Form     string `json:"form"`
		Multiple bool   `json:"multiple"`
	}
	_ = json.Unmarshal(fd.Raw, &s)
	return s.Form, s.Multiple, s.Form != ""
}

// catalogue is the set of paths a report may name: the dataset form's
// own, and each join's under its alias.
type catalogue struct {
	fields query.Fields
	info   map[string]*fieldInfo
	forms  map[string]*form.Form // by join alias; "" is the dataset's form
}

func newCatalogue(base *form.Form) *catalogue {
	c := &catalogue{fields: query.Fields{}, info: map[string]*fieldInfo{}, forms: map[string]*form.Form{"": base}}
	c.addForm("", base)
	return c
}

// addForm adds every filterable path of f, under alias when it is joined.
func (c *catalogue) addForm(alias string, f *form.Form) {
	c.forms[alias] = f
	for p, qf := range f.QFields {
		top := topKey(p)
		fd, _ := f.Field(top)
		if strings.HasPrefix(p, "_") {
			top, fd = "", nil
		}
		name := p
		if alias != "" {
			name = alias + "." + p
		}
		qf.Path = name
		c.fields[name] = qf
		c.info[name] = &fieldInfo{q: qf, form: f, join: alias, rel: p, top: top, field: fd}
	}
}

// paths lists the catalogue's paths, sorted, for messages.
func (c *catalogue) paths() []string {
	out := make([]string, 0, len(c.fields))
	for p := range c.fields {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func isEnglish(lang string) bool { return i18n.IsEnglish(lang) }

func topKey(path string) string {
	k, _, _ := strings.Cut(path, ".")
	return k
}

// text resolves localized text (a string, or {"zh-CN": .., "en": ..}) in
// lang, falling back to Chinese, English, then fallback.
func text(raw json.RawMessage, lang, fallback string) string {
	if len(raw) == 0 {
		return fallback
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return fallback
		}
		return s
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil {
		return fallback
	}
	order := []string{lang, "zh-CN", "en"}
	if isEnglish(lang) {
		order = []string{lang, "en", "zh-CN"}
	}
	for _, k := range order {
		if m[k] != "" {
			return m[k]
		}
	}
	return fallback
}
