package mongo

import (
	"context"
	"net/url"
	"os"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tangram/tangram/engine/store"
)

// mongoURIEnv names a real MongoDB (a replica set, for transactions) that
// the tests may use; without it only lungo runs.
const mongoURIEnv = "TANGRAM_TEST_MONGO_URI"

// newLungo opens a fresh in-memory lungo store closed at test end.
func newLungo(t testing.TB, opt store.Options) *Store {
	t.Helper()
	s, err := OpenLungo(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openRealMongo opens a unique database on the MongoDB named by
// TANGRAM_TEST_MONGO_URI and drops it at test end; it skips the test, saying
// how to enable it, when the variable is unset.
func openRealMongo(t testing.TB, opt store.Options) *Store {
	t.Helper()
	u, err := url.Parse(realMongoURI(t))
	if err != nil {
		t.Fatalf("%s: %v", mongoURIEnv, err)
	}
	u.Path = "/tangram_test_" + store.NewID()
	ctx := context.Background()
	s, err := openMongo(ctx, u, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Database().Drop(context.Background()); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		_ = s.Close()
	})
	return s
}

// realMongoURI returns TANGRAM_TEST_MONGO_URI or skips the test, saying
// how to enable it.
func realMongoURI(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(mongoURIEnv)
	if raw == "" {
		t.Skipf("real MongoDB tests are off: set %s=mongodb://host:27017/?replicaSet=rs0 (a replica set; the database name is generated per test)", mongoURIEnv)
	}
	return raw
}

// backends runs fn on lungo and, when configured, on a real MongoDB.
func backends(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Run("lungo", func(t *testing.T) { fn(t, newLungo(t, store.Options{})) })
	t.Run("mongo", func(t *testing.T) { fn(t, openRealMongo(t, store.Options{})) })
}

func ids(docs []store.Doc) []string {
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, d["_id"].(string))
	}
	return out
}

// extJSON renders BSON as relaxed extended JSON, the golden form of the
// compiler tests (Decimal128 shows as {"$numberDecimal": ...}).
func extJSON(t *testing.T, v any) string {
	t.Helper()
	if p, ok := v.([]bson.D); ok { // a pipeline is not a document
		v = bson.D{{Key: "pipeline", Value: p}}
	}
	b, err := bson.MarshalExtJSON(v, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
