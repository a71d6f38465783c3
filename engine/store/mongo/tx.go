package mongo

import (
	"context"
	"errors"
	"time"

	"github.com/256dpi/lungo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readconcern"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"

	"github.com/tangram/tangram/engine/store"
)

// errTxPanicked stands in for a panic while the transaction is aborted;
// the panic itself is re-raised once the session is clean.
var errTxPanicked = errors.New("mongo: transaction callback panicked")

// txOptions: snapshot reads so fn sees one consistent state, majority
// writes so a committed transaction survives a primary failover. lungo
// ignores both (it has a single in-process copy and serialises writers).
func txOptions() *options.TransactionOptions {
	return options.Transaction().
		SetReadConcern(readconcern.Snapshot()).
		SetWriteConcern(writeconcern.Majority())
}

// Tx runs fn in a multi-document transaction through the session's
// WithTransaction: on MongoDB that retries fn on transient errors (write
// conflicts, failovers) and retries commits whose result is unknown, so fn
// may run more than once. An error or panic from fn aborts the
// transaction; the panic is then re-raised. Every operation of fn must go
// through tx, never through the Store: on MongoDB such writes would not be
// part of the transaction, and on lungo they would wait for the
// transaction's write lock until lungo gives up. Like a driver session, tx
// must not be used from several goroutines at once.
//
// Real MongoDB needs a replica set or sharded cluster for this.
func (s *Store) Tx(ctx context.Context, fn func(tx store.Ops) error) (err error) {
	defer s.observe("tx", time.Now(), &err)
	sess, err := s.client.StartSession()
	if err != nil {
		return mapErr("tx", err)
	}
	// EndSession aborts anything still open; it must run even when ctx is
	// already cancelled.
	defer sess.EndSession(context.WithoutCancel(ctx))

	tx := ops{s: s, sess: sess}
	var (
		panicked bool
		panicVal any
		fnErr    error
	)
	_, err = sess.WithTransaction(ctx, func(lungo.ISessionContext) (_ any, ferr error) {
		defer func() {
			if r := recover(); r != nil {
				panicked, panicVal = true, r
				ferr = errTxPanicked
			}
		}()
		fnErr = fn(tx)
		return nil, fnErr
	}, txOptions())
	if panicked {
		panic(panicVal)
	}
	if err == nil {
		return nil
	}
	if fnErr != nil && err == fnErr { //nolint:errorlint // identity: fn's own error comes back as is
		return fnErr
	}
	return mapErr("tx", err) // start or commit failed
}
