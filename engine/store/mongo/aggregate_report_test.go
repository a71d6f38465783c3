package mongo

import (
	"testing"

	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/store/storetest"
)

// The report aggregation cases: on lungo they skip (no aggregation at all);
// on a real MongoDB when TANGRAM_TEST_MONGO_URI names one.
func TestReportSuiteLungo(t *testing.T) {
	storetest.RunReport(t, storetest.Harness{
		Open:        func(t *testing.T) store.Store { return newLungo(t, store.Options{}) },
		NoAggregate: lungoNoAggregate,
	})
}

func TestReportSuiteMongo(t *testing.T) {
	realMongoURI(t) // skips when the variable is unset
	storetest.RunReport(t, storetest.Harness{
		Open: func(t *testing.T) store.Store { return openRealMongo(t, store.Options{}) },
	})
}
