package ext

import "encoding/json"

// Spec is how an extension describes itself. The same spec drives config
// validation, the builder's palette and the generated docs, so there is no
// hand-kept list anywhere else.
type Spec struct {
	Key      string            `json:"key"`     // lowercase dotted, unique in its registry
	Version  int               `json:"version"` // format of Config
	Title    map[string]string `json:"title"`   // by locale: "zh-CN", "en"
	Doc      map[string]string `json:"doc,omitempty"`
	Config   json.RawMessage   `json:"config,omitempty"` // JSON Schema of the extension's settings
	Examples []json.RawMessage `json:"examples,omitempty"`
	UIHint   string            `json:"uiHint,omitempty"` // which builder-ui component renders it
	Group    string            `json:"group,omitempty"`  // palette group
}
