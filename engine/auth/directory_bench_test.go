package auth

import (
	"context"
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/store"
)

// BenchmarkDirectory: one directory page over 20,000 users in 2,000 units,
// for an HQ user (every unit visible), a store manager (one unit, 10
// users) and an admin (no unit filter), with no search, a username (phone)
// prefix matching half the users and a display-name prefix matching one.
func BenchmarkDirectory(b *testing.B) {
	ctx := context.Background()
	st := testkit.Open(b, testkit.SQLiteURI(b, "dir.db"))
	s := New(st, Config{Hash: HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err := s.Init(ctx); err != nil {
		b.Fatal(err)
	}
	const units, users = 2000, 20000
	subtree := make([]string, units)
	for i := range subtree {
		subtree[i] = fmt.Sprintf("u%04d", i)
	}
	docs := make([]store.Doc, 0, 1000)
	for i := range users {
		u := subtree[i%units]
		docs = append(docs, store.Doc{"_id": fmt.Sprintf("user%05d", i), "username": fmt.Sprintf("138%08d", i),
			"displayName": fmt.Sprintf("员工%d", i), "disabled": i%50 == 0, "unitIds": []any{u},
			"memberships": []any{map[string]any{"unitId": u, "position": "store_clerk"}}})
		if len(docs) == cap(docs) {
			if _, err := st.InsertMany(ctx, CollUsers, docs); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	hq := Caller{Principal: &Principal{UserID: "hq", Units: subtree[:1], UnitSubtree: subtree}}
	store1 := Caller{Principal: &Principal{UserID: "sm", Units: subtree[7:8], UnitSubtree: subtree[7:8]}}
	for _, c := range []struct {
		name   string
		caller Caller
	}{{"hq", hq}, {"store", store1}, {"admin", System()}} {
		for _, q := range []string{"", "1380001", "员工1999"} {
			b.Run(c.name+"/q="+q, func(b *testing.B) {
				for b.Loop() {
					pg, err := s.Directory(ctx, c.caller, DirectoryQuery{Q: q})
					if err != nil || (len(pg.Users) == 0 && c.name != "store") {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
