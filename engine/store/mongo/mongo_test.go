package mongo

import (
	"testing"

	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/store/storetest"
)

// lungoNoAggregate is printed when the suite skips its aggregation cases.
const lungoNoAggregate = "lungo v0.4.0 has no aggregation (Collection.Aggregate panics); aggregation is covered on SQLite and on real MongoDB with " + mongoURIEnv

// The conformance suite on lungo, always. Every case gets a fresh
// in-memory engine, which keeps lungo's per-write cost (which grows with
// the database's size) small.
func TestStoreSuiteLungo(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open:        func(t *testing.T) store.Store { return newLungo(t, store.Options{}) },
		NoAggregate: lungoNoAggregate,
	})
}

// The conformance suite on a real MongoDB replica set, when
// TANGRAM_TEST_MONGO_URI names one (a unique database per case, dropped
// afterwards); skipped otherwise, saying how to enable it.
func TestStoreSuiteMongo(t *testing.T) {
	realMongoURI(t) // skips when the variable is unset
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) store.Store { return openRealMongo(t, store.Options{}) },
	})
}
