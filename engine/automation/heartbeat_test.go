package automation_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
)

// slowAction is an Outside action that runs until the test releases it.
type slowAction struct{}

func (slowAction) Outside() {}

var (
	slowStarts  atomic.Int64
	slowStarted = make(chan struct{}, 4)
	slowRelease chan struct{}
)

func (slowAction) Run(ctx context.Context, x *automation.Exec) (any, error) {
	slowStarts.Add(1)
	slowStarted <- struct{}{}
	select {
	case <-slowRelease:
		return map[string]any{"ok": true}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func init() {
	automation.RegisterAction(automation.ActionType{
		Spec: ext.Spec{Key: "test.slow", Version: 1, Group: "test", Title: map[string]string{"zh-CN": "慢动作", "en": "Slow"},
			Config: json.RawMessage(`{"type":"object"}`)},
		Compile: func(json.RawMessage) (automation.Action, []errs.FieldError) { return slowAction{}, nil },
	})
}

// TestOutsideActionKeepsItsLease: an Outside action that outlasts the
// run's lease (30 s on the test clock) keeps its run, because its runner
// renews the lease while it runs; another runner that looks after the
// lease would have ended finds nothing to take, and the action runs once.
func TestOutsideActionKeepsItsLease(t *testing.T) {
	e := newEnv(t)
	e.opt.Heartbeat = 5 * time.Millisecond
	a := e.newService()
	slowRelease = make(chan struct{})
	slowStarts.Store(0)
	e.define(meta.KindAutomation, "slow", `{"title": "慢",
	  "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "actions": [{"id": "slow", "type": "test.slow", "config": {}}]}`)
	e.created("members", e.create("members", map[string]any{"name": "甲"}))

	aDone := make(chan struct{})
	go func() { defer close(aDone); e.drain(a) }()
	<-slowStarted

	// Past the lease as it was claimed: wait until a renewal moved it.
	claimedUntil := e.runs("slow")[0].Due
	e.clk.Set(e.clk.Now().Add(31 * time.Second))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if due := e.runs("slow")[0].Due; due > claimedUntil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lease was never renewed (due %s)", claimedUntil)
		}
	}
	b := e.newService()
	bDone := make(chan struct{})
	go func() { defer close(bDone); e.drain(b) }()
	select {
	case <-bDone:
	case <-slowStarted:
		t.Error("another runner took the run over and started the action again")
	}
	close(slowRelease)
	<-aDone
	<-bDone
	if n := slowStarts.Load(); n != 1 {
		t.Errorf("the action started %d times, want 1", n)
	}
	if r := e.runs("slow")[0]; r.Status != automation.RunDone || r.Steps["slow"].Output == nil {
		t.Fatalf("run %+v", r)
	}
}
