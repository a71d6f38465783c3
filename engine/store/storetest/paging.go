package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var pagingFields = query.NewFields(
	query.Field{Path: "grp", Kind: query.KindString},
	query.Field{Path: "amt", Kind: query.KindInt},
	query.Field{Path: "price", Kind: query.KindDecimal},
	query.Field{Path: "at", Kind: query.KindTime},
	query.Field{Path: "ok", Kind: query.KindBool},
)

// pagingDocs makes n documents with few distinct values per field (so most
// sort keys tie and the _id tie-break matters), nulls and missing fields,
// and decimals equal with different text.
func pagingDocs(n int) []store.Doc {
	grps := []any{"甲", "乙", "A", "b", nil, "甲乙"}
	prices := []any{"1.5", "1.50", "10", "9.99", "-2", nil, "100.000"}
	base := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	docs := make([]store.Doc, n)
	for i := range docs {
		d := store.Doc{"_id": fmt.Sprintf("p%03d", i), "ok": i%3 == 0}
		if i%11 != 5 {
			d["grp"] = grps[i%6]
		}
		if i%9 != 0 {
			d["amt"] = (i*7)%5 - 1
		} else if i%2 == 0 {
			d["amt"] = nil
		}
		if p := prices[(i*5)%7]; p != nil {
			d["price"] = json.Number(p.(string))
		}
		if i%8 != 3 {
			d["at"] = query.FormatTime(base.Add(time.Duration((i*37)%11) * time.Hour))
		}
		docs[i] = d
	}
	// Insert in a scrambled order so insertion order is not id order.
	out := make([]store.Doc, n)
	for i := range docs {
		out[i] = docs[(i*17)%n]
	}
	return out
}

var pagingSorts = []string{"", "amt", "-amt", "-price,grp", "grp,-at", "-at", "price,-amt,grp", "-ok,-price", "-_id"}

func (s *suite) paging(t *testing.T) {
	st := s.open(t)
	const n = 40
	c, ref := load(t, st, "paging", pagingDocs(n))
	for _, ss := range pagingSorts {
		keys, err := query.ParseSort(ss, pagingFields)
		mustNil(t, err, "storetest: sort %q", ss)
		for _, size := range []int{1, 3, 7, n, 100} {
			t.Run(fmt.Sprintf("sort=%s/size=%d", ss, size), func(t *testing.T) {
				t.Parallel()
				want := idsOf(expectFind(ref, nil, keys))
				got := idsOf(pageAll(t, st, c, keys, nil, size, nil))
				if !slices.Equal(want, got) {
					t.Errorf("paged result differs from the sorted list:%s\n  order want %v\n  order  got %v", diffIDs(want, got), want, got)
				}
			})
		}
	}
	t.Run("WithFilter", func(t *testing.T) {
		t.Parallel()
		keys, _ := query.ParseSort("-price,grp", pagingFields)
		filter := mustFilter(t, `{"$or":[{"amt":{"$ne":1}},{"grp":null}]}`, pagingFields)
		want := idsOf(expectFind(ref, filter, keys))
		got := idsOf(pageAll(t, st, c, keys, filter, 4, nil))
		if !slices.Equal(want, got) {
			t.Errorf("paged filtered result:%s", diffIDs(want, got))
		}
	})
	t.Run("ConcurrentInserts", func(t *testing.T) {
		for _, ss := range []string{"-amt", "grp,-at", "price", "-_id"} {
			t.Run(ss, func(t *testing.T) { s.pagingWhileInserting(t, st, ss) })
		}
	})
}

// pageAll pages through a collection with keyset cursors: each page's last
// row becomes an opaque token (as an API client would hold it), which is
// decoded into the After filter of the next page. between, when set, runs
// after each page.
func pageAll(t *testing.T, st store.Store, c string, keys []query.SortKey, filter *query.Node, size int, between func(page int)) []store.Doc {
	t.Helper()
	full := query.WithIDTieBreak(keys)
	var out []store.Doc
	token := ""
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatalf("paging does not end after %d pages", page)
		}
		q := store.Query{Filter: filter, Sort: keys, Limit: size}
		if page%2 == 1 {
			q.Sort = full // the explicit tie-break must work as well
		}
		if token != "" {
			after, err := query.DecodeCursor(token, full)
			mustNil(t, err, "decode cursor of page %d", page)
			q.Filter = query.And(filter, after)
		}
		docs, err := st.Find(t.Context(), c, q)
		mustNil(t, err, "find page %d", page)
		if len(docs) > size {
			t.Fatalf("page %d has %d documents, limit %d", page, len(docs), size)
		}
		out = append(out, docs...)
		if len(docs) < size {
			return out
		}
		token = query.CursorOf(docs[len(docs)-1], full).Encode()
		if between != nil {
			between(page)
		}
	}
}

// pagingWhileInserting pages through a collection while other documents
// are inserted (between pages and from another goroutine): every document
// that existed before paging started appears exactly once, nothing appears
// twice, and the pages stay in sort order.
func (s *suite) pagingWhileInserting(t *testing.T, st store.Store, sortSpec string) {
	const n = 40
	c, ref := load(t, st, "pagingconc", pagingDocs(n))
	keys, err := query.ParseSort(sortSpec, pagingFields)
	mustNil(t, err, "storetest: sort")
	full := query.WithIDTieBreak(keys)
	rng := rand.New(rand.NewPCG(1, uint64(len(sortSpec))))
	var mu sync.Mutex
	newDoc := func() store.Doc {
		mu.Lock()
		defer mu.Unlock()
		d := pagingDocs(n)[rng.IntN(n)]
		delete(d, "_id") // a new generated id; its values copy a random fixture
		return d
	}
	insertErr := make(chan error, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := st.Insert(t.Context(), c, newDoc()); err != nil {
				select {
				case insertErr <- err:
				default:
				}
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	got := pageAll(t, st, c, keys, nil, 3, func(page int) {
		for i := 0; i < 2; i++ {
			_, err := st.Insert(t.Context(), c, newDoc())
			mustNil(t, err, "insert between pages")
		}
	})
	close(stop)
	wg.Wait()
	select {
	case err := <-insertErr:
		t.Fatalf("concurrent insert: %v", err)
	default:
	}
	count := map[string]int{}
	for _, id := range idsOf(got) {
		count[id]++
	}
	for _, d := range ref {
		if id := d["_id"].(string); count[id] != 1 {
			t.Errorf("document %s existed before paging and appeared %d times", id, count[id])
		}
	}
	for id, k := range count {
		if k > 1 {
			t.Errorf("document %s appeared %d times", id, k)
		}
	}
	for i := 1; i < len(got); i++ {
		if cmpSort(got[i-1], got[i], full) >= 0 {
			t.Errorf("rows %d and %d out of order for %q: %v then %v", i-1, i, sortSpec, got[i-1], got[i])
		}
	}
}
