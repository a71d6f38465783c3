package demo

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// One member's life in the window: who they are, when they registered,
// and every sale, coupon, top-up and points exchange, simulated in time
// order under the app's loyalty rules. A member is generated from the
// seed and its index alone (its own random stream), except the receipt
// numbers, which count per store and day across members in generation
// order — deterministic too, since generation is sequential.

// memberPlan is one member to write, with its history.
type memberPlan struct {
	Index                        int
	Name, Phone, CardNo, Unionid string
	Gender, Source               string
	Birthday                     time.Time // zero: unknown
	HomeStore                    int
	Referrer                     int // member index; -1: none
	RegisteredAt                 time.Time
	Consent                      bool
	Tags                         []string
	Tier                         string
	Spend12m                     int64        // fen, completed sales of this month and the 11 before (SpendMonths)
	SpendMonths                  []monthSpend // in month order
	Orders                       int
	LastPurchase                 time.Time
	Welcome, Earned, Spent       int64 // points: welcome gift, earned by sales, spent on exchange coupons
	PrincipalIn, PrincipalOut    int64 // stored value, fen
	BonusIn, BonusOut            int64
	Topups                       int
	Txs                          []txPlan
	Coupons                      []couponPlan
}

// Points is the member's points balance.
func (m *memberPlan) Points() int64 { return m.Welcome + m.Earned - m.Spent }

// Balance is the member's stored value, principal and bonus (fen).
func (m *memberPlan) Balance() int64 { return m.PrincipalIn - m.PrincipalOut + m.BonusIn - m.BonusOut }

// txPlan is one sale.
type txPlan struct {
	Receipt                string
	Store                  int
	At                     time.Time
	Lines                  []line
	Amount, Discount, Paid int64 // fen; Paid = Amount - Discount
	StoredValue, Other     int64 // fen; StoredValue + Other = Paid
	Points                 int64
	Refunded, Online       bool
	RefundedAt             time.Time
	Coupons                []string
}

// WelcomePoints are given at registration (注册送100积分), so every
// member has a points account from the start.
const WelcomePoints = 100

// generator makes members in index order.
type generator struct {
	seed     int64
	now      time.Time
	cal      *calendar
	stores   []storePlan
	byRegion map[string][]int
	byWeight weighted[int]
	pol      *policy
	tags     []string // the members form's tag options, if any
	meanL    float64  // mean of the activity draw, see txCount
	receipts []uint32 // sales per store and day
	// occasions are the campaign days of the window, when coupons go out.
	occasions []occasion
}

// occasion is a coupon template handed out on a day.
type occasion struct {
	template int
	at       time.Time
}

// occasionsOf lists the campaigns of the window: 618 and Double 11
// coupons on the 1st of June and November, the member day (会员日) on
// the 8th of each month.
func occasionsOf(cal *calendar) []occasion {
	var out []occasion
	for d := range cal.days {
		day := cal.day(d)
		at := day.Add(10 * time.Hour)
		switch {
		case day.Month() == time.June && day.Day() == 1:
			out = append(out, occasion{tplIndex("618"), at})
		case day.Month() == time.November && day.Day() == 1:
			out = append(out, occasion{tplIndex("d11-big"), at}, occasion{tplIndex("d11"), at})
		case day.Day() == 8:
			out = append(out, occasion{tplIndex("ninety"), at}, occasion{tplIndex("fresh"), at}, occasion{tplIndex("gift"), at})
		}
	}
	return out
}

func newGenerator(seed int64, now time.Time, cal *calendar, stores []storePlan, pol *policy, tags []string, perMember float64) *generator {
	g := &generator{seed: seed, now: now, cal: cal, stores: stores, byRegion: map[string][]int{}, pol: pol, tags: tags,
		receipts: make([]uint32, len(stores)*cal.days), occasions: occasionsOf(cal)}
	idx, w := make([]int, len(stores)), make([]int, len(stores))
	for i, s := range stores {
		idx[i], w[i] = i, max(1, s.Weight)
		g.byRegion[s.Region] = append(g.byRegion[s.Region], i)
	}
	g.byWeight = newWeighted(idx, w)
	// n = 1 + floor(L × active share), E[active share] ≈ 0.7 (see member),
	// so E[n] ≈ 0.5 + 0.7·E[L].
	g.meanL = max(0.1, (perMember-0.5)/0.7)
	return g
}

// member generates member i; referrers are drawn among members before
// first (the batch's first index, whose records exist by then).
func (g *generator) member(i, first int) (*memberPlan, error) {
	r := rand.New(rand.NewPCG(uint64(g.seed), uint64(i)))
	m := &memberPlan{Index: i, Referrer: -1, Phone: phoneOf(g.seed, i), CardNo: cardNoOf(g.seed, i), Welcome: WelcomePoints}
	switch x := r.IntN(100); {
	case x < 45:
		m.Gender = "male"
	case x < 97:
		m.Gender = "female"
	default:
		m.Gender = "unknown"
	}
	m.Name = personName(r, m.Gender)
	switch x := r.IntN(100); {
	case x < 50:
		m.Source = "pos"
	case x < 85:
		m.Source = "miniapp"
	case x < 95:
		m.Source = "online"
	default:
		m.Source = "referral"
		if first > 0 {
			m.Referrer = first - 1 - r.IntN(min(first, referrerWindow))
		}
	}
	if m.Source != "pos" || r.IntN(100) < 30 {
		m.Unionid = unionidOf(g.seed, i)
	}
	// Four in ten were members before the window; the rest join during it,
	// more on busy days.
	regDay := -1 - r.IntN(3*365)
	if r.IntN(100) >= 40 {
		regDay = g.cal.pickDay(r, 0, g.cal.days-1)
	}
	m.RegisteredAt = g.cal.at(r, regDay, g.now)
	m.HomeStore = g.openStore(r, regDay, -1)
	m.Consent = r.IntN(100) < 70
	if r.IntN(100) < 90 {
		age := min(80, max(18, int(36+11*r.NormFloat64())))
		m.Birthday = time.Date(g.now.Year()-age, 1, 1, 0, 0, 0, 0, cst).AddDate(0, 0, r.IntN(365))
	}
	for _, t := range g.tags {
		if r.IntN(100) < 15 {
			m.Tags = append(m.Tags, t)
		}
	}
	favourite := categoryIndex.pick(r)
	if err := g.history(r, m, regDay, favourite); err != nil {
		return nil, err
	}
	return m, nil
}

// referrerWindow is how far back a referrer is drawn (members whose ids
// the writer still remembers).
const referrerWindow = 4096

// openStore draws a store open on day d: by traffic, in region when
// given (else anywhere); the home store when none is found quickly.
func (g *generator) openStore(r *rand.Rand, d int, home int) int {
	for range 20 {
		var s int
		if home >= 0 {
			in := g.byRegion[g.stores[home].Region]
			s = in[r.IntN(len(in))]
		} else {
			s = g.byWeight.pick(r)
		}
		if g.stores[s].OpenedDay <= d {
			return s
		}
	}
	if home >= 0 {
		return home
	}
	first := 0
	for i, s := range g.stores {
		if s.OpenedDay < g.stores[first].OpenedDay {
			first = i
		}
	}
	return first
}

// txCount draws how many sales a member makes: a heavy-tailed activity
// (most shop a few times, a few every week) scaled by the share of the
// window they were members in.
func (g *generator) txCount(r *rand.Rand, regDay int) int {
	active := float64(g.cal.days-max(regDay, 0)) / float64(g.cal.days)
	l := math.Exp(math.Log(g.meanL) - 0.5 + r.NormFloat64()) // lognormal, σ = 1, mean meanL
	return min(400, 1+int(l*active))
}

// history simulates the member's sales and coupons in time order.
func (g *generator) history(r *rand.Rand, m *memberPlan, regDay, favourite int) error {
	n := g.txCount(r, regDay)
	lo := max(regDay, 0)
	txs := make([]txPlan, n)
	for k := range txs {
		d := g.cal.pickDay(r, lo, g.cal.days-1)
		if k == 0 && m.Source == "pos" && regDay >= 0 {
			d = regDay // joined at the till
		}
		t := &txs[k]
		t.At = g.cal.at(r, d, g.now)
		if t.At.Before(m.RegisteredAt) {
			t.At = m.RegisteredAt.Add(time.Duration(1+r.IntN(90)) * time.Minute)
		}
		if t.At.After(g.now) {
			t.At = g.now
		}
		t.Online = r.IntN(100) < 12
		t.Store = m.HomeStore
		if !t.Online && r.IntN(100) < 18 {
			t.Store = g.openStore(r, g.cal.dayOf(t.At), m.HomeStore)
		}
		t.Lines = basket(r, favourite, g.cal.flags[min(g.cal.days-1, max(0, g.cal.dayOf(t.At)))]&(flagSpringFestival|flagNationalDay) != 0)
		for _, l := range t.Lines {
			t.Amount += l.Amount
		}
		if t.Refunded = k > 0 && r.IntN(100) < 2; t.Refunded {
			t.RefundedAt = t.At.Add(time.Duration(1+r.IntN(72)) * time.Hour)
			if t.RefundedAt.After(g.now) {
				t.RefundedAt = g.now
			}
		}
	}
	sort.SliceStable(txs, func(a, b int) bool { return txs[a].At.Before(txs[b].At) })
	m.Coupons = g.issued(r, m, regDay)
	return g.replay(r, m, txs)
}

// issued lists the coupons handed to the member by the calendar's
// occasions, in time order (exchange coupons come during replay).
func (g *generator) issued(r *rand.Rand, m *memberPlan, regDay int) []couponPlan {
	var out []couponPlan
	give := func(tpl int, at time.Time) {
		t := &couponTemplates[tpl]
		if at.Before(m.RegisteredAt) || at.After(g.now) || r.IntN(100) >= t.Share || len(out) >= maxCoupons/2 {
			return
		}
		out = append(out, couponPlan{Code: couponCode(g.seed, m.Index, len(out)), Template: tpl, IssuedAt: at, ExpiresAt: at.AddDate(0, 0, t.ValidDays),
			intend: r.IntN(100) < t.UseRate})
	}
	if regDay >= 0 {
		give(tplIndex("welcome"), m.RegisteredAt.Add(time.Minute))
	}
	for _, o := range g.occasions {
		give(o.template, o.at)
	}
	if m.Consent && !m.Birthday.IsZero() {
		for y := g.cal.start.Year(); y <= g.now.Year(); y++ {
			at := time.Date(y, m.Birthday.Month(), m.Birthday.Day(), 10, 0, 0, 0, cst)
			if !at.Before(g.cal.start) {
				give(tplIndex("birthday"), at)
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].IssuedAt.Before(out[b].IssuedAt) })
	return out
}

// maxCoupons bounds a member's coupons (the code holds 8 bits of number).
const maxCoupons = 250

func tplIndex(key string) int {
	for i, t := range couponTemplates {
		if t.Key == key {
			return i
		}
	}
	panic("demo: no coupon template " + key)
}
