package mongo

import (
	"errors"
	"fmt"

	"github.com/256dpi/lungo"
	mdb "go.mongodb.org/mongo-driver/mongo"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Server error codes and labels the adapter interprets.
const (
	codeWriteConflict  = 112 // WriteConflict (also inside transactions)
	codeNoSuchTxn      = 251 // NoSuchTransaction (aborted under us)
	codeLockTimeout    = 24  // LockTimeout acquiring a lock for a transaction
	labelTransientTxn  = "TransientTransactionError"
	labelUnknownCommit = "UnknownTransactionCommitResult"
)

// mapErr turns a driver or lungo error into a typed store error, keeping
// the original as the hidden cause so logs have it and clients never see
// it. Errors that already are store errors, and context errors, pass
// through unchanged.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok || errIsContext(err) {
		return err
	}
	switch {
	case mdb.IsDuplicateKeyError(err) || lungo.IsUniquenessError(err):
		return store.Wrapf(store.ErrDuplicate, err, "%s", store.ErrDuplicate.Msg)
	case isConflict(err):
		return store.Wrapf(store.ErrConflict, err, "%s", store.ErrConflict.Msg)
	}
	return fmt.Errorf("mongo: %s: %w", op, err)
}

// isConflict reports write conflicts and transient transaction failures.
// The wrapped driver error keeps its labels, so WithTransaction still sees
// TransientTransactionError through errors.As and retries the callback.
func isConflict(err error) bool {
	var le mdb.LabeledError
	if errors.As(err, &le) && (le.HasErrorLabel(labelTransientTxn) || le.HasErrorLabel(labelUnknownCommit)) {
		return true
	}
	var se mdb.ServerError
	if errors.As(err, &se) {
		return se.HasErrorCode(codeWriteConflict) || se.HasErrorCode(codeNoSuchTxn) || se.HasErrorCode(codeLockTimeout)
	}
	return false
}
