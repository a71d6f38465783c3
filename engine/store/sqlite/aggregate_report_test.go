package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/store/storetest"
)

// TestReportConformance runs the report aggregation cases (lookups, bins,
// conditional measures, cyclic buckets) on one database file.
func TestReportConformance(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "report.db"), store.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	storetest.RunReport(t, storetest.Harness{Open: func(*testing.T) store.Store { return st }})
}
