package workflow

import (
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/calendar"
)

// Spec is a flow definition's body (engine/meta/schemas/flow.json).
type Spec struct {
	Title       json.RawMessage `json:"title"`
	Form        string          `json:"form"`
	Initial     string          `json:"initial"`
	States      []StateSpec     `json:"states"`
	Transitions []TransSpec     `json:"transitions"`
}

// State types.
const (
	TypeNormal   = "normal"
	TypeApproval = "approval"
	TypeFinal    = "final"
)

// StateSpec is one state.
type StateSpec struct {
	Key      string          `json:"key"`
	Label    json.RawMessage `json:"label"`
	Type     string          `json:"type"`
	Approval *ApprovalSpec   `json:"approval"`
	SLA      *SLASpec        `json:"sla"`
	OnEnter  []StepSpec      `json:"onEnter"`
	OnExit   []StepSpec      `json:"onExit"`
}

// TransSpec is one transition; From is one state or several.
type TransSpec struct {
	Trigger string          `json:"trigger"`
	Label   json.RawMessage `json:"label"`
	From    stringList      `json:"from"`
	To      string          `json:"to"`
	Guard   *GuardSpec      `json:"guard"`
	Roles   []string        `json:"roles"`
	Comment string          `json:"comment"`
}

// GuardSpec holds a filter on the record, a formula, or both (both must hold).
type GuardSpec struct {
	Filter  json.RawMessage `json:"filter"`
	Formula string          `json:"formula"`
}

// StepSpec is an on-enter or on-exit action.
type StepSpec struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Title  json.RawMessage `json:"title"`
	Config json.RawMessage `json:"config"`
}

// Approval modes.
const (
	ModeAny        = "any"
	ModeAll        = "all"
	ModeSequential = "sequential"
)

// ApprovalSpec says who approves in an approval state and how.
type ApprovalSpec struct {
	Mode      string         `json:"mode"`
	Assignees []AssigneeSpec `json:"assignees"`
	Approve   string         `json:"approve"`
	Reject    string         `json:"reject"`
	ReturnTo  []string       `json:"returnTo"`
	Withdraw  *bool          `json:"withdraw"`
	Delegate  *bool          `json:"delegate"`
	AddSigner *bool          `json:"addSigner"`
	Empty     string         `json:"empty"`
}

// mode is the approval mode with its default.
func (a *ApprovalSpec) mode() string {
	if a.Mode == "" {
		return ModeAny
	}
	return a.Mode
}

// approveTrigger and rejectTrigger are the triggers a decision fires.
func (a *ApprovalSpec) approveTrigger() string { return orDefault(a.Approve, "approve") }
func (a *ApprovalSpec) rejectTrigger() string  { return orDefault(a.Reject, "reject") }

func allowed(b *bool) bool { return b == nil || *b }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// AssigneeSpec is one source of approvers; exactly one part is set.
type AssigneeSpec struct {
	User    string       `json:"user,omitempty"`
	Role    string       `json:"role,omitempty"`
	Unit    *UnitSpec    `json:"unit,omitempty"`
	Field   string       `json:"field,omitempty"`
	Manager *ManagerSpec `json:"manager,omitempty"`
}

// UnitSpec names position holders in an org unit of the record (Field) or
// a fixed unit (ID), Up levels above it.
type UnitSpec struct {
	Field    string `json:"field,omitempty"`
	ID       string `json:"id,omitempty"`
	Position string `json:"position"`
	Up       int    `json:"up,omitempty"`
}

// ManagerSpec is the submitter's manager chain, Levels deep (default 1).
type ManagerSpec struct {
	Levels int `json:"levels,omitempty"`
}

// What an SLA does when a task's deadline passes.
const (
	TimeoutNone     = "none"
	TimeoutEscalate = "escalate"
	TimeoutApprove  = "approve"
	TimeoutReturn   = "return"
)

// SLASpec is an approval state's deadline per task, in working hours.
type SLASpec struct {
	Hours        float64 `json:"hours"`
	Calendar     string  `json:"calendar"`
	RemindBefore float64 `json:"remindBefore"`
	OnTimeout    string  `json:"onTimeout"`
	Escalations  int     `json:"escalations"`
}

// hoursDur converts a number of hours to a duration, to the second.
func hoursDur(h float64) time.Duration {
	return time.Duration(h*3600) * time.Second
}

func (s *SLASpec) calendar() (*calendar.Calendar, bool) {
	return calendar.Get(orDefault(s.Calendar, calendar.Default))
}

func (s *SLASpec) onTimeout() string { return orDefault(s.OnTimeout, TimeoutNone) }

func (s *SLASpec) escalations() int {
	if s.Escalations <= 0 {
		return 1
	}
	return s.Escalations
}

// stringList reads a string or an array of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// decodeSpec reads a flow spec; a spec that passed the meta-schema always
// decodes.
func decodeSpec(raw json.RawMessage) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
