package mongo

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/tangram/tangram/engine/store"
)

func TestEnsureIndexes(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		idx := []store.Index{
			{Name: "code_unique", Fields: []string{"code"}, Unique: true},
			{Name: "by_store_time", Fields: []string{"store", "-at"}},
		}
		for i := 0; i < 2; i++ { // the second run keeps what exists
			if err := s.EnsureIndexes(ctx, "coupons", idx); err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
		}
		// Same key under another name, or a changed definition under an
		// existing name: kept, not an error.
		if err := s.EnsureIndexes(ctx, "coupons", []store.Index{
			{Name: "other_name", Fields: []string{"code"}, Unique: true},
			{Name: "by_store_time", Fields: []string{"store"}},
		}); err != nil {
			t.Fatalf("existing kept: %v", err)
		}
		cur, err := s.Database().Collection("coupons").Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var list []struct {
			Name   string `bson:"name"`
			Key    bson.D `bson:"key"`
			Unique bool   `bson:"unique"`
		}
		if err := cur.All(ctx, &list); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, ix := range list {
			got[ix.Name] = extJSON(t, ix.Key)
			if ix.Name == "code_unique" && !ix.Unique {
				t.Error("code_unique is not unique")
			}
		}
		want := map[string]string{"_id_": `{"_id":1}`, "code_unique": `{"code":1}`, "by_store_time": `{"store":1,"at":-1}`}
		if len(got) != len(want) {
			t.Errorf("indexes %v, want %v", got, want)
		}
		for name, key := range want {
			if got[name] != key {
				t.Errorf("index %s: key %s, want %s", name, got[name], key)
			}
		}

		if _, err := s.Insert(ctx, "coupons", store.Doc{"code": "A"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Insert(ctx, "coupons", store.Doc{"code": "A"}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("unique insert: got %v", err)
		}
		id, err := s.Insert(ctx, "coupons", store.Doc{"code": "B"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, "coupons", id, store.Patch{Set: map[string]any{"code": "A"}}, nil); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("unique update: got %v", err)
		}
	})
}

func TestEnsureIndexesRefuses(t *testing.T) {
	s := newLungo(t, store.Options{})
	for name, ix := range map[string]store.Index{
		"bad name":  {Name: "Bad-Name", Fields: []string{"a"}},
		"no fields": {Name: "empty"},
		"bad field": {Name: "x", Fields: []string{"$a"}},
	} {
		if err := s.EnsureIndexes(context.Background(), "c", []store.Index{ix}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
