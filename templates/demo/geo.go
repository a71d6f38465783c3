package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Where the stores are: the five sales regions of the contract, real
// provinces and cities in each, and a weight per region (a chain grown
// from the east coast has most of its stores there).

type region struct {
	Key, Name string
	Weight    int
	Provinces []province
}

type province struct {
	Name   string
	Cities []string
}

var regions = []region{
	{"east", "华东", 35, []province{
		{"上海市", []string{"上海市"}},
		{"江苏省", []string{"南京市", "苏州市", "无锡市", "常州市"}},
		{"浙江省", []string{"杭州市", "宁波市", "温州市", "绍兴市"}},
		{"安徽省", []string{"合肥市", "芜湖市"}},
		{"福建省", []string{"福州市", "厦门市", "泉州市"}},
		{"山东省", []string{"济南市", "青岛市", "烟台市"}},
	}},
	{"north", "华北", 18, []province{
		{"北京市", []string{"北京市"}},
		{"天津市", []string{"天津市"}},
		{"河北省", []string{"石家庄市", "唐山市", "保定市"}},
		{"山西省", []string{"太原市"}},
		{"内蒙古自治区", []string{"呼和浩特市", "包头市"}},
	}},
	{"south", "华南", 20, []province{
		{"广东省", []string{"广州市", "深圳市", "东莞市", "佛山市", "珠海市"}},
		{"广西壮族自治区", []string{"南宁市", "桂林市"}},
		{"海南省", []string{"海口市", "三亚市"}},
	}},
	{"west", "西部", 12, []province{
		{"四川省", []string{"成都市", "绵阳市"}},
		{"重庆市", []string{"重庆市"}},
		{"陕西省", []string{"西安市"}},
		{"云南省", []string{"昆明市"}},
		{"贵州省", []string{"贵阳市"}},
	}},
	{"central", "华中", 15, []province{
		{"湖北省", []string{"武汉市", "宜昌市"}},
		{"湖南省", []string{"长沙市", "株洲市"}},
		{"河南省", []string{"郑州市", "洛阳市"}},
		{"江西省", []string{"南昌市"}},
	}},
}

// sites are where a store of the chain typically is: malls, streets,
// stations, residential areas.
var sites = []string{"万达广场", "银泰城", "万象城", "吾悦广场", "大悦城", "龙湖天街", "印象城", "步行街", "火车站",
	"人民广场", "解放路", "中山路", "建设路", "新城", "高新区", "滨江", "东站", "西湖", "南湖", "世纪公园", "体育中心",
	"大学城", "开发区", "老城区", "湖滨", "金融城", "科技园", "花园小区", "文化宫", "北门"}

// storePlan is one store to create.
type storePlan struct {
	Code, Name       string
	Province, City   string
	Region, RegionZH string
	Weight           int    // relative traffic
	OpenedDay        int    // day index in the window; negative: before it
	OrgUnit          string // its org unit id, once created
}

// storeCount scales the chain with its members: about one store per
// 2,000 members, at least 8 and at most 500.
func storeCount(members int) int {
	return min(500, max(8, members/2000))
}

// planStores lays out n stores: regions by weight (each region gets at
// least one store), cities in turn within a region, a site per store.
// Most opened in the five years before the window (members who joined
// then need an open home store); about one in ten opens during its first
// half.
func planStores(r *rand.Rand, n, days int) []storePlan {
	rw := make([]int, len(regions))
	for i, g := range regions {
		rw[i] = g.Weight
	}
	pickRegion := newWeighted(regions, rw)
	perRegion := map[string]int{}
	out := make([]storePlan, 0, n)
	used := map[string]int{}
	for i := range n {
		g := regions[i%len(regions)] // the first five cover every region
		if i >= len(regions) {
			g = pickRegion.pick(r)
		}
		k := perRegion[g.Key]
		perRegion[g.Key]++
		// Cities in turn over the region's provinces, so each province gets
		// stores before any city gets a second.
		var cities [][2]string
		for _, p := range g.Provinces {
			for _, c := range p.Cities {
				cities = append(cities, [2]string{p.Name, c})
			}
		}
		pc := cities[k%len(cities)]
		short := strings.TrimSuffix(pc[1], "市")
		name := short + sites[r.IntN(len(sites))] + "店"
		if used[name]++; used[name] > 1 {
			name = fmt.Sprintf("%s%s%d店", short, strings.TrimSuffix(name[len(short):], "店"), used[name])
		}
		opened := -1 - r.IntN(5*365)
		if r.IntN(10) == 0 {
			opened = r.IntN(max(1, days/2))
		}
		out = append(out, storePlan{Code: fmt.Sprintf("S%04d", i+1), Name: name, Province: pc[0],
			City: pc[1], Region: g.Key, RegionZH: g.Name, OpenedDay: opened,
			Weight: int(math.Round(100 * math.Exp(r.NormFloat64()*0.5)))})
	}
	return out
}
