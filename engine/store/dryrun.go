package store

import (
	"context"
	"errors"
)

// errDryRun ends a dry run's transaction; it never leaves DryRun.
var errDryRun = errors.New("store: dry run rolled back")

// DryRun runs fn in a transaction of st that is always rolled back: fn
// sees its own writes and nobody else ever does. It returns fn's error, or
// the store's. The designers' test runs (engine/action, engine/automation)
// use it to run the real code path and keep nothing.
func DryRun(ctx context.Context, st Store, fn func(tx Ops) error) error {
	var fnErr error
	err := st.Tx(ctx, func(tx Ops) error {
		fnErr = fn(tx) // a retried transaction runs fn again from nothing
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return fnErr
	}
	return err
}
