package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tangram/tangram/engine/meta"
)

// Spec is an automation definition's spec (engine/meta/schemas/
// automation.json).
type Spec struct {
	Title       json.RawMessage `json:"title"`
	Description json.RawMessage `json:"description,omitempty"`
	// Enabled is true unless set to false: a published automation that is
	// disabled is kept but never fires.
	Enabled   *bool           `json:"enabled,omitempty"`
	Trigger   TriggerSpec     `json:"trigger"`
	Condition json.RawMessage `json:"condition,omitempty"`
	Actions   []StepSpec      `json:"actions"`
	Retry     *RetrySpec      `json:"retry,omitempty"`
}

// TriggerSpec names the trigger type and its config.
type TriggerSpec struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// StepSpec is one action of an automation (common.json "step").
type StepSpec struct {
	ID     string          `json:"id,omitempty"`
	Type   string          `json:"type"`
	Title  json.RawMessage `json:"title,omitempty"`
	Config json.RawMessage `json:"config,omitempty"`
}

// RetrySpec is how a failing action is retried.
type RetrySpec struct {
	// MaxAttempts is how many times an action is tried before the run goes
	// to the dead-letter list (default DefaultMaxAttempts).
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// BackoffSeconds is the wait before the first retry; each further
	// retry waits twice as long as the one before (default
	// DefaultBackoff).
	BackoffSeconds int `json:"backoffSeconds,omitempty"`
	// MaxBackoffSeconds caps a wait (default DefaultMaxBackoff).
	MaxBackoffSeconds int `json:"maxBackoffSeconds,omitempty"`
}

// Retry defaults.
const (
	DefaultMaxAttempts = 5
	DefaultBackoff     = 30 * time.Second
	DefaultMaxBackoff  = time.Hour
)

// withDefaults fills the unset parts of r.
func (r *RetrySpec) withDefaults() RetrySpec {
	out := RetrySpec{}
	if r != nil {
		out = *r
	}
	if out.MaxAttempts <= 0 {
		out.MaxAttempts = DefaultMaxAttempts
	}
	if out.BackoffSeconds <= 0 {
		out.BackoffSeconds = int(DefaultBackoff / time.Second)
	}
	if out.MaxBackoffSeconds <= 0 {
		out.MaxBackoffSeconds = int(DefaultMaxBackoff / time.Second)
	}
	return out
}

// backoff is the wait before attempt n+1 after n failed attempts (n >= 1):
// BackoffSeconds·2^(n-1), capped, plus up to a tenth more taken from seed
// (the run id) so the retries of many runs that failed together spread
// out, yet a given run always waits the same.
func (r RetrySpec) backoff(n int, seed string) time.Duration {
	d := time.Duration(r.BackoffSeconds) * time.Second
	limit := time.Duration(r.MaxBackoffSeconds) * time.Second
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	var h uint32 = 2166136261
	for i := 0; i < len(seed); i++ {
		h = (h ^ uint32(seed[i])) * 16777619
	}
	return d + d/10*time.Duration(h%1000)/1000
}

// decodeStrict decodes one JSON value into v, refusing unknown fields: a
// misspelt setting must fail on save, not be ignored at run time. An empty
// config is {}.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
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

// enabled reports whether the spec is switched on.
func (s *Spec) enabled() bool { return s.Enabled == nil || *s.Enabled }

// specOf decodes a definition's spec.
func specOf(d meta.Definition) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(d.Spec, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
