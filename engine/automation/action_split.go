package automation

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// flow.split splits an automation's audience into variants (A/B tests)
// by weight and runs the chosen variant's actions. The assignment is
// recorded per subject (default the record; a member stays in the variant
// it first got, in every later run) and counted per variant by the
// automation's variants report.
//
//	{"variants": [{"key": "a", "weight": 50, "actions": [...]}, {"key": "b", "weight": 50, "actions": [...]}]}
//
// Assignment is by a hash of the automation, the split and the subject, so
// it is spread evenly and needs no shared counter.
type flowSplit struct {
	subject  string
	variants []variantSpec
	total    int
}

type variantSpec struct {
	Key     string     `json:"key"`
	Weight  int        `json:"weight"`
	Actions []StepSpec `json:"actions,omitempty"`
}

type splitConfig struct {
	Subject  string        `json:"subject,omitempty"`
	Variants []variantSpec `json:"variants"`
}

var _ Chooser = (*flowSplit)(nil)

// Run is not called for a Chooser.
func (a *flowSplit) Run(context.Context, *Exec) (any, error) { return nil, nil }

// Blocks are the variants' actions.
func (a *flowSplit) Blocks() []Block {
	out := make([]Block, len(a.variants))
	for i, v := range a.variants {
		out[i] = Block{Path: fmt.Sprintf("variants[%d].actions", i), Steps: v.Actions}
	}
	return out
}

// Choose looks up or makes the subject's assignment, through x.Tx.
func (a *flowSplit) Choose(ctx context.Context, x *Exec) (int, any, error) {
	subject := x.Run.Record
	if a.subject != "" {
		subject = x.ExpandString(a.subject)
	}
	if subject == "" {
		subject = x.Run.ID
	}
	sum := sha256.Sum256([]byte(x.Run.App + "/" + x.Run.Automation + "/" + x.Step + "/" + subject))
	id := "ab" + hex.EncodeToString(sum[:16])
	doc, err := x.Tx.Get(ctx, CollAssignments, id)
	if err == nil {
		key, _ := doc["variant"].(string)
		for i, v := range a.variants {
			if v.Key == key {
				return i, map[string]any{"variant": key, "assigned": false}, nil
			}
		}
		// The variant was removed in a later version: assign again.
		if err := x.Tx.Delete(ctx, CollAssignments, id, nil); err != nil {
			return 0, nil, err
		}
	} else if !errs.HasCode(err, store.ErrNotFound.Code) {
		return 0, nil, err
	}
	pick := int(binary.BigEndian.Uint64(sum[16:24]) % uint64(a.total))
	i := 0
	for ; i < len(a.variants)-1 && pick >= a.variants[i].Weight; i++ {
		pick -= a.variants[i].Weight
	}
	key := a.variants[i].Key
	if _, err := x.Tx.Insert(ctx, CollAssignments, store.Doc{"_id": id, "app": x.Run.App, "automation": x.Run.Automation,
		"split": x.Step, "subject": subject, "variant": key, "run": x.Run.ID, "at": query.FormatTime(x.Now)}); err != nil {
		return 0, nil, err
	}
	return i, map[string]any{"variant": key, "assigned": true}, nil
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "flow.split", Version: 1, Group: "flow",
			Title: map[string]string{"zh-CN": "A/B 分组", "en": "A/B split"},
			Config: json.RawMessage(`{"type":"object","required":["variants"],"additionalProperties":false,"properties":{"subject":{"type":"string"},` +
				`"variants":{"type":"array","minItems":2,"maxItems":10,"items":{"type":"object","required":["key","weight"],` +
				`"properties":{"key":{"type":"string"},"weight":{"type":"integer","minimum":1},"actions":{"type":"array"}}}}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"variants":[{"key":"a","weight":50,"actions":[]},{"key":"b","weight":50,"actions":[]}]}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c splitConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if len(c.Variants) < 2 || len(c.Variants) > 10 {
				fe = append(fe, fieldErr("variants", "automation.bad_variants", "between 2 and 10 variants")...)
			}
			a := &flowSplit{subject: c.Subject, variants: c.Variants}
			seen := map[string]bool{}
			for i, v := range c.Variants {
				p := fmt.Sprintf("variants[%d]", i)
				if !stateRe.MatchString(v.Key) || seen[v.Key] {
					fe = append(fe, fieldErr(p+".key", "automation.bad_variant", "a unique key such as a or control")...)
				}
				seen[v.Key] = true
				if v.Weight < 1 || v.Weight > 10000 {
					fe = append(fe, fieldErr(p+".weight", "automation.bad_weight", "between 1 and 10000")...)
				}
				a.total += max(v.Weight, 0)
			}
			if a.total <= 0 {
				a.total = 1
			}
			return a, fe
		},
	})
}
