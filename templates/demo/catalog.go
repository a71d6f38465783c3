package demo

import (
	"fmt"
	"math/rand/v2"
)

// The assortment of a chain supermarket: categories with their share of
// basket lines and a few products each, prices in fen. Gift boxes sell
// almost only before the Spring Festival and in the October golden week.

type product struct {
	SKU, Name, Category string
	Price               int64 // fen
}

type category struct {
	Name     string
	Weight   int // share of basket lines
	MaxQty   int // most units of one line
	Products []product
}

var categories = func() []category {
	type p = struct {
		name  string
		price int64
	}
	raw := []struct {
		code, name string
		weight     int
		maxQty     int
		items      []p
	}{
		{"FR", "生鲜", 22, 3, []p{{"红富士苹果 1kg", 1290}, {"香蕉 1kg", 699}, {"西红柿 500g", 459}, {"黄瓜 500g", 399},
			{"精品五花肉 500g", 2590}, {"鲜鸡蛋 30枚", 2280}, {"鲈鱼 约600g", 3580}, {"有机菠菜 300g", 690}, {"阳光玫瑰葡萄 500g", 3990}}},
		{"DA", "乳品", 12, 4, []p{{"纯牛奶 250ml×12", 4980}, {"原味酸奶 100g×8", 1990}, {"鲜牛奶 950ml", 1590}, {"奶酪棒 18支", 3290}}},
		{"GR", "粮油", 9, 2, []p{{"东北大米 5kg", 4990}, {"花生油 5L", 9990}, {"挂面 1kg", 890}, {"生抽酱油 500ml", 1290}, {"中筋面粉 2.5kg", 1990}}},
		{"SN", "休闲零食", 13, 4, []p{{"原味薯片 104g", 850}, {"每日坚果 25g×30", 12900}, {"巧克力 240g", 3990}, {"苏打饼干 400g", 1290}, {"牛肉干 100g", 2990}}},
		{"BV", "饮料", 11, 6, []p{{"矿泉水 550ml×24", 2990}, {"可乐 330ml×6", 1590}, {"无糖茶饮 500ml", 550}, {"橙汁 1L", 1290}, {"咖啡饮料 268ml", 790}}},
		{"LQ", "酒水", 4, 2, []p{{"啤酒 500ml×12", 6990}, {"干红葡萄酒 750ml", 12800}, {"白酒 52度 500ml", 49900}, {"黄酒 500ml", 2590}}},
		{"HC", "日化清洁", 8, 2, []p{{"洗衣液 3kg", 5990}, {"抽纸 3层×24包", 4990}, {"洗洁精 1.5kg", 1990}, {"垃圾袋 100只", 1590}}},
		{"PC", "个护美妆", 7, 2, []p{{"洗发水 750ml", 6990}, {"牙膏 120g×3", 3990}, {"面膜 10片", 9900}, {"沐浴露 1L", 4590}, {"防晒霜 50ml", 12800}}},
		{"MB", "母婴", 5, 2, []p{{"婴儿纸尿裤 L码 52片", 12900}, {"婴幼儿配方奶粉 3段 800g", 26800}, {"婴儿湿巾 80抽×3", 3990}}},
		{"HM", "家居百货", 5, 2, []p{{"保温杯 500ml", 8900}, {"不粘锅 28cm", 15900}, {"收纳箱 45L", 4990}, {"毛巾 2条装", 3590}}},
		{"FZ", "冷冻食品", 4, 3, []p{{"速冻水饺 1kg", 2990}, {"汤圆 500g", 1590}, {"冰淇淋 4支", 2590}}},
		{"GB", "礼盒", 0, 3, []p{{"坚果礼盒 1.5kg", 19800}, {"年货大礼包", 29800}, {"进口水果礼盒", 16800}}},
	}
	out := make([]category, len(raw))
	for i, c := range raw {
		out[i] = category{Name: c.name, Weight: c.weight, MaxQty: c.maxQty}
		for j, it := range c.items {
			out[i].Products = append(out[i].Products, product{SKU: fmt.Sprintf("%s%04d", c.code, j+1), Name: it.name,
				Category: c.name, Price: it.price})
		}
	}
	return out
}()

// giftBoxes is the 礼盒 category, sold on holidays only.
var giftBoxes = categories[len(categories)-1]

// categoryIndex draws a category (its index) by share of basket lines;
// gift boxes (weight 0) never come from it.
var categoryIndex = func() weighted[int] {
	idx := make([]int, len(categories))
	w := make([]int, len(categories))
	for i, c := range categories {
		idx[i], w[i] = i, c.Weight
	}
	return newWeighted(idx, w)
}()

// line is one basket line; Amount = Price × Quantity.
type line struct {
	Product  product
	Quantity int64
	Amount   int64
}

// basket draws the lines of one sale: one to nine distinct products
// (about three on average), the member's favourite category more often,
// a gift box in the holiday weeks.
func basket(r *rand.Rand, favourite int, holiday bool) []line {
	n := 1
	for n < 9 && r.IntN(100) < 62 {
		n++
	}
	seen := make(map[string]bool, n)
	out := make([]line, 0, n+1)
	add := func(c category) {
		p := c.Products[r.IntN(len(c.Products))]
		if seen[p.SKU] {
			return // a basket has each product once, with its quantity
		}
		seen[p.SKU] = true
		q := int64(1)
		if r.IntN(100) < 25 {
			q += int64(r.IntN(c.MaxQty))
		}
		out = append(out, line{Product: p, Quantity: q, Amount: p.Price * q})
	}
	for range n {
		ci := categoryIndex.pick(r)
		if r.IntN(100) < 20 {
			ci = favourite
		}
		add(categories[ci])
	}
	if holiday && r.IntN(100) < 30 {
		add(giftBoxes)
	}
	return out
}
