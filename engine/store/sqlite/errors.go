package sqlite

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// errClosed is returned by every operation after Close.
var errClosed = errs.New(errs.Unavailable, "store.closed", "the store is closed")

// errInternal hides cause behind a client-safe message.
func errInternal(cause error, msg string) error {
	return errs.Wrap(cause, errs.Internal, "store.internal", "%s", msg)
}

// mapErr turns a driver error into a store error, so no driver text can
// become a client message: constraint violations are ErrDuplicate, lock
// timeouts ErrConflict (retryable), anything else an internal error with
// the driver error kept only as the hidden cause. Coded errors and context
// errors pass through unchanged.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	switch classify(err) {
	case kindUnique:
		return store.Wrapf(store.ErrDuplicate, err, "%s", store.ErrDuplicate.Msg)
	case kindBusy:
		return store.Wrapf(store.ErrConflict, err, "%s", store.ErrConflict.Msg)
	}
	return errInternal(err, "storage failure")
}

// errKind is the part of a driver error the adapter acts on.
type errKind int

const (
	kindOther  errKind = iota
	kindUnique         // UNIQUE or PRIMARY KEY constraint
	kindBusy           // SQLITE_BUSY / SQLITE_LOCKED after busy_timeout
)
