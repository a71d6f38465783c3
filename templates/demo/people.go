package demo

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
)

// People: names, phone numbers and member identifiers. Names follow the
// frequency of Chinese surnames (the largest hundred cover about 85% of
// the population; weights below are per ten thousand people) and common
// given-name characters by gender. Identifiers that must be unique —
// phone, card number, unionid — are bijections of the member's index, so
// a million of them are unique without remembering any.

// weighted is a table to draw from by cumulative weight.
type weighted[T any] struct {
	items []T
	cum   []int // cum[i] = sum of weights of items[0..i]
}

func newWeighted[T any](items []T, weights []int) weighted[T] {
	if len(items) != len(weights) {
		panic("demo: a weighted table needs one weight per item")
	}
	w := weighted[T]{items: items, cum: make([]int, len(items))}
	total := 0
	for i, x := range weights {
		total += x
		w.cum[i] = total
	}
	return w
}

// pick draws one item.
func (w weighted[T]) pick(r *rand.Rand) T {
	x := r.IntN(w.cum[len(w.cum)-1])
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.items[lo]
}

// surnames are the common surnames with their share per ten thousand.
var surnames = func() weighted[string] {
	names := []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
		"何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
		"董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢",
		"姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟",
		"熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝",
		"龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "上官", "司马", "诸葛"}
	weights := []int{710, 700, 660, 530, 450, 310, 230, 220, 200, 190, 150, 150, 140, 130, 130, 110,
		110, 100, 100, 90, 90, 80, 70, 60, 60, 60, 60, 60, 60, 50, 50, 50, 50, 40,
		40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 30, 30, 30, 30, 30, 30, 30, 30,
		30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 20, 20, 20, 20, 20, 20, 20, 20,
		20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 10, 10, 10, 10, 10,
		10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 1, 1, 1}
	return newWeighted(names, weights)
}()

// Given-name characters; the first of each list are the most common.
var (
	maleChars = []string{"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "浩", "鹏", "华", "飞", "斌",
		"宇", "俊", "峰", "辉", "刚", "健", "亮", "凯", "鑫", "博", "文", "志", "建", "国", "东", "海", "林", "波",
		"晨", "轩", "睿", "子", "然", "泽", "宁", "昊", "毅", "帆", "嘉", "铭", "航", "天", "成", "平", "德"}
	femaleChars = []string{"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "婷", "雪", "慧", "颖", "琳",
		"倩", "洁", "燕", "晶", "萍", "红", "梅", "莉", "欣", "怡", "佳", "琪", "悦", "雨", "涵", "诗", "梓", "思",
		"可", "馨", "瑶", "彤", "蕾", "薇", "月", "晓", "丹", "妍", "露", "璐", "楠", "宁", "玉", "蓉", "洋"}
)

// pickChar favours the first characters of a list (a rough Zipf).
func pickChar(r *rand.Rand, chars []string) string {
	i := int(float64(len(chars)) * r.Float64() * r.Float64())
	return chars[i]
}

// personName is a full name: surname and one or two given characters.
func personName(r *rand.Rand, gender string) string {
	chars := femaleChars
	switch gender {
	case "male":
		chars = maleChars
	case "unknown":
		if r.IntN(2) == 0 {
			chars = maleChars
		}
	}
	name := surnames.pick(r) + pickChar(r, chars)
	if r.IntN(10) < 7 {
		name += pickChar(r, chars)
	}
	return name
}

// mobilePrefixes are number segments of the three carriers in use.
var mobilePrefixes = []string{"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177",
	"178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"}

// affine8 is a bijection of [0, 10^8): a is odd and not a multiple of 5.
func affine8(k, a, b uint64) uint64 { return (a*k + b) % 100_000_000 }

// phoneOf is member i's mobile: the segment is i modulo the segments and
// the eight digits a bijection of i divided by them, so two members never
// share a number (up to 3.8 billion members).
func phoneOf(seed int64, i int) string {
	p := uint64(len(mobilePrefixes))
	n := uint64(i)
	suffix := affine8(n/p, 54_435_761, uint64(seed)%100_000_000)
	return mobilePrefixes[n%p] + pad(suffix, 8)
}

// cardNoOf is member i's 12-digit card number (prefix 8860).
func cardNoOf(seed int64, i int) string {
	return "8860" + pad(affine8(uint64(i), 73_939_133, uint64(seed*7919)%100_000_000), 8)
}

// unionidOf is a WeChat-style unionid ("o" + 27 characters): a bijective
// 64-bit mix of i and the seed, then filler from a second mix.
func unionidOf(seed int64, i int) string {
	var b [20]byte
	binary.BigEndian.PutUint64(b[:8], mix64(uint64(i)^mix64(uint64(seed))))
	binary.BigEndian.PutUint64(b[8:16], mix64(uint64(i)+0x9e3779b97f4a7c15))
	binary.BigEndian.PutUint32(b[16:], uint32(mix64(uint64(seed)+uint64(i))))
	return "o" + base64.RawURLEncoding.EncodeToString(b[:])[:27]
}

// mix64 is the splitmix64 finaliser: a bijection of uint64 that scatters
// consecutive inputs.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// pad renders n with at least w digits.
func pad(n uint64, w int) string {
	s := strconv.FormatUint(n, 10)
	for len(s) < w {
		s = "0" + s
	}
	return s
}
