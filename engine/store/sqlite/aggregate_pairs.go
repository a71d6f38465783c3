package sqlite

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Pairs of values held together (store.PairCounter), in one statement:
//
//	SELECT tangram_pairs(length(b.bid) || ':' || b.bid ||
//	    CASE WHEN json_type(l.value,'$.category') = 'text' THEN '=' || <value> ELSE '' END)
//	FROM (SELECT id AS bid, doc AS bdoc FROM t [LEFT JOIN lookups] WHERE filter) AS b
//	LEFT JOIN json_each(b.bdoc,'$.lines') AS l
//
// tangram_pairs, a Go aggregate, reads every list object of every record
// selected (a record without one as one row with no value) and counts the
// records, and per record its set of distinct text values and each
// unordered pair of them, in one scan. The rows of one record arrive
// together: json_each takes its argument from b's row, so it is the inner
// loop of the join. The SQL alternative — DISTINCT (id, value), a self
// join on the id with a < b, GROUP BY the pair — does the same in three
// sorts and took 4 times as long (docs/PERFORMANCE.md, "Basket pairs").
// The aggregate returns the top store.MaxPairs pairs (by count, then by
// value) and the record counts of their values as JSON.

var _ store.PairCounter = (*Store)(nil)

const pairsFunc = "tangram_pairs"

func init() {
	aggregateFuncs = append(aggregateFuncs, aggregateFunc{name: pairsFunc, make: func() aggImpl { return newPairsAgg() }})
}

// CountPairs counts the top pairs, the baskets of their values and all
// baskets.
func (s *Store) CountPairs(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, spec store.PairSpec) (out *store.PairCounts, err error) {
	defer s.observe("aggregate", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := store.CheckPairSpec(spec); err != nil {
		return nil, err
	}
	o := s.read
	c, from, err := o.aggSource(ctx, coll, lookups, nil)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	key := jsonPath(spec.Field)
	b.w("SELECT ", pairsFunc, "(length(b.bid) || ':' || b.bid || CASE WHEN json_type(l.value,", key, ") = 'text' THEN '=' || json_extract(l.value,", key,
		") ELSE '' END) FROM (SELECT id AS bid, doc AS bdoc FROM ")
	b.add(from)
	b.w(" WHERE ")
	if err := c.filter(&b, filter, 0); err != nil {
		return nil, err
	}
	b.w(") AS b LEFT JOIN json_each(b.bdoc,", jsonPath(spec.List), ") AS l")
	out = &store.PairCounts{Items: map[string]int64{}}
	var raw *string
	if _, err := o.r.queryRow(ctx, b.b.String(), b.args, &raw); err != nil {
		return nil, mapErr(err)
	}
	if raw == nil {
		return out, nil
	}
	var res pairsResult
	if err := json.Unmarshal([]byte(*raw), &res); err != nil {
		return nil, mapErr(err)
	}
	out.Baskets = res.Records
	for _, p := range res.Pairs {
		if len(out.Pairs) == spec.Limit {
			break
		}
		out.Pairs = append(out.Pairs, store.PairCount{A: p.A, B: p.B, Count: p.N})
		out.Items[p.A], out.Items[p.B] = res.Items[p.A], res.Items[p.B]
	}
	return out, nil
}

// pairsResult is tangram_pairs' JSON.
type pairsResult struct {
	Records int64            `json:"records"`
	Items   map[string]int64 `json:"items"`
	Pairs   []pairJSON       `json:"pairs"`
}

type pairJSON struct {
	A string `json:"a"`
	B string `json:"b"`
	N int64  `json:"n"`
}

// pairsAgg is tangram_pairs' state: the record being read and its
// distinct values, and the counts so far.
type pairsAgg struct {
	records int64
	started bool
	cur     string
	set     []string
	items   map[string]int64
	pairs   map[[2]string]int64
}

func newPairsAgg() *pairsAgg {
	return &pairsAgg{items: map[string]int64{}, pairs: map[[2]string]int64{}}
}

// add reads "<length of id>:<id>" and "=<value>" if the row has one.
func (p *pairsAgg) add(v any) {
	s, ok := v.(string)
	if !ok {
		return
	}
	n, rest, ok := strings.Cut(s, ":")
	runes, err := strconv.Atoi(n)
	if !ok || err != nil || runes < 0 {
		return
	}
	cut := 0
	for i := 0; i < runes && cut < len(rest); i++ {
		_, size := utf8.DecodeRuneInString(rest[cut:])
		cut += size
	}
	id, val := rest[:cut], rest[cut:]
	if id != p.cur || !p.started {
		p.flush()
		p.cur, p.started = id, true
		p.records++
	}
	if val == "" {
		return
	}
	val = val[1:] // after "="
	for _, x := range p.set {
		if x == val {
			return
		}
	}
	p.set = append(p.set, val)
}

// flush counts the current record's values and pairs.
func (p *pairsAgg) flush() {
	for i, a := range p.set {
		p.items[a]++
		for _, b := range p.set[i+1:] {
			k := [2]string{a, b}
			if b < a {
				k = [2]string{b, a}
			}
			p.pairs[k]++
		}
	}
	p.set = p.set[:0]
}

// result is the top store.MaxPairs pairs and their values' counts.
func (p *pairsAgg) result() any {
	p.flush()
	list := make([]store.PairCount, 0, len(p.pairs))
	for k, n := range p.pairs {
		list = append(list, store.PairCount{A: k[0], B: k[1], Count: n})
	}
	store.SortPairs(list)
	if len(list) > store.MaxPairs {
		list = list[:store.MaxPairs]
	}
	res := pairsResult{Records: p.records, Items: map[string]int64{}, Pairs: make([]pairJSON, len(list))}
	for i, pc := range list {
		res.Pairs[i] = pairJSON{A: pc.A, B: pc.B, N: pc.Count}
		res.Items[pc.A], res.Items[pc.B] = p.items[pc.A], p.items[pc.B]
	}
	b, _ := json.Marshal(res)
	return string(b)
}
