package api

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/automation"
)

// wireAutomation builds the automation engine and starts its runner unless
// the configuration (o.Automation, else the environment) disables it. The
// returned stop ends the runner; its claims pass to other instances when
// their leases end.
func wireAutomation(ctx context.Context, o WireOptions, d automation.Deps) (*automation.Service, context.CancelFunc, error) {
	conf := o.Automation
	if conf == nil {
		c, err := automation.ConfigFromEnv()
		if err != nil {
			return nil, nil, fmt.Errorf("automation configuration: %w", err)
		}
		conf = &c
	}
	d.Log = o.Log
	au, err := automation.New(d, conf.Options)
	if err != nil {
		return nil, nil, err
	}
	if err := au.Init(ctx); err != nil {
		return nil, nil, fmt.Errorf("init automation: %w", err)
	}
	// Writes of the forms published automations listen to now write
	// their record events.
	d.Records.SetEvents(au)
	if conf.Disabled {
		return au, func() {}, nil
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); au.Run(runCtx) }()
	return au, func() { stop(); <-done }, nil
}
