// Package meta stores app definitions (forms, workflows, automations,
// decision tables, reports, dashboards, pages, roles, and the app itself) as
// versioned JSON and serves them to the runtime.
//
// Every definition carries two numbers (STYLE habit 4): SchemaVersion, the
// format of its spec, upgraded on read by engine/meta/migrate; and Version,
// the revision, which writes must name (If-Match) so a stale editor gets a
// 412 instead of overwriting someone else's work. Each save appends a draft
// revision; publishing marks one revision as the one the runtime uses and
// supersedes the previous; published revisions never change.
package meta

import "encoding/json"

// Kind names a type of definition.
type Kind string

// The built-in kinds.
const (
	KindApp        Kind = "app"
	KindForm       Kind = "form"
	KindView       Kind = "view"
	KindFlow       Kind = "flow"
	KindAutomation Kind = "automation"
	KindRule       Kind = "rule"
	KindAction     Kind = "action"
	KindReport     Kind = "report"
	KindDashboard  Kind = "dashboard"
	KindPage       Kind = "page"
	KindRole       Kind = "role"
)

// Status is where a revision stands in the draft/publish cycle.
type Status string

// Revision statuses. A definition has at most one published revision;
// publishing another turns it into superseded.
const (
	StatusDraft      Status = "draft"
	StatusPublished  Status = "published"
	StatusSuperseded Status = "superseded"
)

// Definition is one revision of one definition.
type Definition struct {
	Kind          Kind            `json:"kind"`
	App           string          `json:"app"`
	Key           string          `json:"key"`
	SchemaVersion int             `json:"schemaVersion"`
	Version       int             `json:"version"`
	Status        Status          `json:"status"`
	Spec          json.RawMessage `json:"spec"`
	UpdatedBy     string          `json:"updatedBy"`
	UpdatedAt     string          `json:"updatedAt"` // query.FormatTime
	PublishedAt   string          `json:"publishedAt,omitempty"`
	PublishedBy   string          `json:"publishedBy,omitempty"`
}

// Ref names a definition without a revision: "form/members" in app "crm".
func (d Definition) Ref() string { return string(d.Kind) + "/" + d.Key }

// ValidKey reports whether s is a valid app name or definition key:
// ^[a-z][a-z0-9_-]{0,62}$. Keys appear in URLs, store ids
// ("app:kind:key:version", so no ':'), and file names of exported
// templates, hence lowercase ASCII only. Checked by hand rather than by a
// regexp because every Published call checks two keys: the regexp was half
// of a cached lookup's CPU.
func ValidKey(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
