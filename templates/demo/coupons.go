package demo

import (
	"encoding/base32"
	"encoding/binary"
	"time"
)

// Coupon templates of the demo chain. Share is the percent of members
// who get one per occasion (see occasions), UseRate the percent of
// holders who mean to use it. Percent
// coupons follow the contract's reading "percent is what the member
// pays": 90 is 9折, a tenth off.

// couponTemplate is one coupon-templates record.
type couponTemplate struct {
	Key, Name  string
	Type       string // amount, percent, gift, exchange
	Value      int64  // fen off (amount, exchange)
	Percent    int64  // percent paid (percent coupons)
	MinSpend   int64  // fen, over the eligible lines
	Category   string // "" = all categories
	Stackable  bool
	ValidDays  int
	PointsCost int64
	Share      int // percent of eligible members that get one per occasion
	UseRate    int // percent of holders who mean to use it
}

var couponTemplates = []couponTemplate{
	{Key: "welcome", Name: "新人礼 满30减10", Type: "amount", Value: 10_00, MinSpend: 30_00, ValidDays: 30, Share: 100, UseRate: 60},
	{Key: "birthday", Name: "生日礼券 满99减20", Type: "amount", Value: 20_00, MinSpend: 99_00, ValidDays: 30, Share: 40, UseRate: 50},
	{Key: "618", Name: "618 满200减30", Type: "amount", Value: 30_00, MinSpend: 200_00, ValidDays: 18, Share: 15, UseRate: 45},
	{Key: "d11-big", Name: "双11 满500减80", Type: "amount", Value: 80_00, MinSpend: 500_00, ValidDays: 11, Share: 10, UseRate: 35},
	{Key: "d11", Name: "双11 满100减10", Type: "amount", Value: 10_00, MinSpend: 100_00, ValidDays: 11, Share: 15, UseRate: 50},
	{Key: "ninety", Name: "全场9折券", Type: "percent", Percent: 90, MinSpend: 50_00, ValidDays: 30, Share: 1, UseRate: 40},
	{Key: "fresh", Name: "生鲜满50减5", Type: "amount", Value: 5_00, MinSpend: 50_00, Category: "生鲜", Stackable: true, ValidDays: 7, Share: 1, UseRate: 40},
	{Key: "exchange", Name: "积分兑换 5元无门槛券", Type: "exchange", Value: 5_00, ValidDays: 90, PointsCost: 500, Share: 12, UseRate: 90},
	{Key: "gift", Name: "会员日赠品券（价值15元）", Type: "gift", Value: 15_00, ValidDays: 30, Share: 2, UseRate: 0},
}

// discount is what template t takes off a basket (0 when the basket does
// not qualify), never the whole amount.
func (t *couponTemplate) discount(lines []line, amount int64) int64 {
	eligible := amount
	if t.Category != "" {
		eligible = 0
		for _, l := range lines {
			if l.Product.Category == t.Category {
				eligible += l.Amount
			}
		}
	}
	if eligible == 0 || eligible < t.MinSpend {
		return 0
	}
	var off int64
	switch t.Type {
	case "amount", "exchange":
		off = min(t.Value, eligible)
	case "percent":
		off = eligible * (100 - t.Percent) / 100
	}
	if off >= amount {
		off = amount - 1 // a sale is never free: something is paid
	}
	return max(off, 0)
}

// couponPlan is one coupon of a member.
type couponPlan struct {
	Code      string
	Template  int
	IssuedAt  time.Time
	ExpiresAt time.Time
	Status    string // issued, redeemed, expired, void
	Redeemed  time.Time
	Receipt   string
	Store     int
	intend    bool // the member means to use it
}

var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// couponCode is a unique 13-character code: a bijective mix of the
// member index and the coupon's number within the member.
func couponCode(seed int64, member, n int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], mix64(uint64(member)<<8|uint64(n&0xff)^uint64(seed)<<40))
	return crockford.EncodeToString(b[:])
}
