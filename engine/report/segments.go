package report

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/tangram/tangram/engine/query"
)

// segPlan is a report's segments (Spec.Segments): rules over integer
// dimensions, applied to the aggregated rows (at most a few hundred RFM
// cells), never to records.
type segPlan struct {
	as    string
	label []byte
	dims  map[string]bool // the dimensions the rules read, replaced by the segment
	rules []*segRule
	other *segRule
}

type segRule struct {
	key   string
	label []byte
	when  map[string][2]int
}

// matches reports whether a row's values fall in every range of the rule.
func (r *segRule) matches(row map[string]any) bool {
	for dim, rng := range r.when {
		v, ok := query.ToInt(row[dim])
		if !ok || v < int64(rng[0]) || v > int64(rng[1]) {
			return false
		}
	}
	return true
}

func (c *Compiled) compileSegments(p *problems) {
	s := c.Spec.Segments
	if s == nil {
		return
	}
	sp := &segPlan{as: s.As, label: s.Label, dims: map[string]bool{}}
	if !outputRe.MatchString(s.As) || c.isDim(s.As) || c.measure(s.As) != nil {
		p.add("segments.as", "report.name", s.As)
	}
	if len(s.Rules) == 0 || len(s.Rules) > 64 {
		p.add("segments.rules", "report.segments", "give between 1 and 64 rules")
	}
	keys := map[string]bool{}
	rule := func(r SegmentRule, at string) *segRule {
		if !outputRe.MatchString(strings.ReplaceAll(r.Key, "-", "_")) || keys[r.Key] {
			p.add(at+".key", "report.segments", fmt.Sprintf("the key %q is repeated or invalid", r.Key))
		}
		keys[r.Key] = true
		sr := &segRule{key: r.Key, label: r.Label, when: map[string][2]int{}}
		for dim, rng := range r.When {
			dp := c.dim(dim)
			switch {
			case dp == nil || dp.kind() != query.KindInt:
				p.add(at+".when."+dim, "report.segments", fmt.Sprintf("%q is not a dimension with integer values (bins, quantiles)", dim))
				continue
			case len(rng) != 2 || rng[0] > rng[1]:
				p.add(at+".when."+dim, "report.segments", "a range is [low, high] with low <= high")
				continue
			}
			sp.dims[dim] = true
			sr.when[dim] = [2]int{rng[0], rng[1]}
		}
		return sr
	}
	for i, r := range s.Rules {
		sp.rules = append(sp.rules, rule(r, fmt.Sprintf("segments.rules[%d]", i)))
	}
	if s.Else != nil {
		sp.other = rule(*s.Else, "segments.else")
	}
	for i, m := range c.measures {
		if m.op == "countDistinct" {
			p.add(fmt.Sprintf("measures[%d].op", i), "report.segments", "distinct counts cannot be added up over the cells of a segment")
		}
	}
	c.segments = sp
}

func (c *Compiled) dim(name string) *dimPlan {
	for _, d := range c.dims {
		if d.as == name {
			return d
		}
	}
	return nil
}

// applySegments regroups rows by segment (and the dimensions the rules
// do not read), adding counts and sums, keeping minima and maxima. Rows
// in no rule and without an else are dropped.
func (c *Compiled) applySegments(rows []map[string]any) []map[string]any {
	sp := c.segments
	var keep []*dimPlan
	for _, d := range c.dims {
		if !sp.dims[d.as] {
			keep = append(keep, d)
		}
	}
	groups := map[string]map[string]any{}
	var order []string
	for _, row := range rows {
		var r *segRule
		for _, cand := range sp.rules {
			if cand.matches(row) {
				r = cand
				break
			}
		}
		if r == nil {
			r = sp.other
		}
		if r == nil {
			continue
		}
		parts := []string{r.key}
		for _, d := range keep {
			parts = append(parts, keyText(row[d.as]))
		}
		k := strings.Join(parts, "\x00")
		g, ok := groups[k]
		if !ok {
			g = map[string]any{sp.as: r.key}
			for _, d := range keep {
				g[d.as] = row[d.as]
			}
			groups[k] = g
			order = append(order, k)
		}
		for _, m := range c.store {
			g[m.As] = combine(m.Fn, g[m.As], row[m.As], ok)
		}
	}
	out := make([]map[string]any, 0, len(order))
	for _, k := range order {
		out = append(out, groups[k])
	}
	// Rule order first, then the other dimensions.
	rank := map[string]int{}
	for i, r := range sp.rules {
		rank[r.key] = i
	}
	if sp.other != nil {
		rank[sp.other.key] = len(sp.rules)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank[fmt.Sprint(out[i][sp.as])] < rank[fmt.Sprint(out[j][sp.as])] })
	return out
}

// combine re-aggregates one store measure over two rows.
func combine(fn query.AggFn, acc, v any, have bool) any {
	if !have {
		return v
	}
	switch fn {
	case query.FnCount, query.FnSum:
		return addNumbers(acc, v)
	case query.FnMin:
		return extreme(acc, v, false)
	case query.FnMax:
		return extreme(acc, v, true)
	}
	return nil
}

// ratio is a / b exactly, nil when b is zero or either is null.
func ratio(a, b any) *big.Rat {
	ra, rb := ratOf(a), ratOf(b)
	if ra == nil || rb == nil || rb.Sign() == 0 {
		return nil
	}
	return new(big.Rat).Quo(ra, rb)
}
