package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tangram/tangram/engine/ext"
)

// Bench runs `tangram bench <scenario>`: a load generator against a
// running server. It signs in (or uses a token), lets the scenario read
// what its requests need through the API, then sends requests from -c
// concurrent clients for -duration or -n requests and reports
// throughput, latency percentiles and errors by status and code. It
// measures the server as a client sees it, over HTTP; the store's own
// durable rate is measured by the Go benchmarks (docs/PERFORMANCE.md).
func Bench(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return RunBench(ctx, args, os.Stdout)
}

// BenchConfig is what `tangram bench` reads from its flags.
type BenchConfig struct {
	URL, User, Password, Token, App string
	Clients                         int
	Duration                        time.Duration
	N                               int // requests in total; 0: run for Duration
	Sample                          int // records a scenario samples to pick from
	Coupons, StoredValue            int // percent of checkouts with a coupon, with stored value
	Timeout                         time.Duration
	JSON                            bool
	// Report, Dashboard, Params and ColdRuns are the report and
	// dashboard scenarios' (bench_report.go).
	Report, Dashboard, Params string
	ColdRuns                  int
	// PID is the server's process, whose memory the report gives (0: none).
	PID int
	// Wait is how long to wait for the server to answer /healthz first.
	Wait time.Duration
}

// BenchRequest is one request a scenario makes.
type BenchRequest struct {
	Method, Path string
	Body         []byte
	Header       map[string]string
}

// BenchScenario is a kind of load. Prepare reads what the requests need
// (a sample of records) through c and returns the maker of request seq
// of client worker; the maker is called from many goroutines, each with
// its own r.
type BenchScenario struct {
	Summary string
	Prepare func(ctx context.Context, c *BenchClient, cfg *BenchConfig) (func(r *rand.Rand, worker, seq int) BenchRequest, error)
	// Cold, when set, takes the scenario's cold figure before the load
	// (bench_report.go).
	Cold func(ctx context.Context, c *BenchClient, cfg *BenchConfig) (*BenchCold, error)
}

// benchScenarios is the registry of scenarios: a new one is a Prepare
// function registered here.
var benchScenarios = ext.NewRegistry[BenchScenario]("bench scenario")

func init() {
	benchScenarios.Register("checkout", BenchScenario{Summary: "POS checkouts of sampled members at sampled stores, a share with coupons and stored value",
		Prepare: prepareCheckout})
	benchScenarios.Register("records-create", BenchScenario{Summary: "new members through the records API",
		Prepare: prepareRecordsCreate})
}

// BenchReport is the outcome of a run; latencies are of the successful
// requests, in milliseconds.
type BenchReport struct {
	Scenario   string         `json:"scenario"`
	URL        string         `json:"url"`
	App        string         `json:"app"`
	Clients    int            `json:"clients"`
	Requests   int            `json:"requests"`
	OK         int            `json:"ok"`
	Errors     int            `json:"errors"`
	Seconds    float64        `json:"seconds"`
	Throughput float64        `json:"throughput"` // successful requests per second
	P50        float64        `json:"p50"`
	P95        float64        `json:"p95"`
	P99        float64        `json:"p99"`
	Max        float64        `json:"max"`
	ByCode     map[string]int `json:"errorsByCode"`
	Cold       *BenchCold     `json:"cold,omitempty"`
	Memory     *BenchMemory   `json:"memory,omitempty"`
}

// RunBench parses args (the scenario, then flags), runs the load and
// writes the report to out.
func RunBench(ctx context.Context, args []string, out io.Writer) error {
	usage := "usage: tangram bench <" + strings.Join(benchScenarios.Keys(), "|") + "> [-url URL] [-user U -password P | -token T] [-app crm] [-c 32] [-duration 30s | -n N] [-pid PID] [-wait 60s] [-report KEY | -dashboard KEY] [-params JSON] [-cold N]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New(usage)
	}
	sc, ok := benchScenarios.Get(args[0])
	if !ok {
		return fmt.Errorf("unknown scenario %q\n%s", args[0], usage)
	}
	fs := flag.NewFlagSet("bench "+args[0], flag.ContinueOnError)
	cfg := BenchConfig{}
	fs.StringVar(&cfg.URL, "url", env("TANGRAM_URL", "http://localhost:8080"), "server base URL (TANGRAM_URL)")
	fs.StringVar(&cfg.User, "user", "admin", "user to sign in as")
	fs.StringVar(&cfg.Password, "password", "", "password (default: TANGRAM_PASSWORD)")
	fs.StringVar(&cfg.Token, "token", env("TANGRAM_TOKEN", ""), "bearer token or API key instead of signing in (TANGRAM_TOKEN)")
	fs.StringVar(&cfg.App, "app", "crm", "app key")
	fs.IntVar(&cfg.Clients, "c", 32, "concurrent clients")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to run (unless -n)")
	fs.IntVar(&cfg.N, "n", 0, "total requests (overrides -duration)")
	fs.IntVar(&cfg.Sample, "sample", 2000, "records to sample (members) to pick from")
	fs.IntVar(&cfg.Coupons, "coupons", 10, "percent of checkouts redeeming a coupon")
	fs.IntVar(&cfg.StoredValue, "stored-value", 20, "percent of checkouts paying partly with stored value")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.BoolVar(&cfg.JSON, "json", false, "print the report as JSON")
	fs.IntVar(&cfg.PID, "pid", 0, "the server's process id: report its resident memory (VmRSS, VmHWM) before and after")
	fs.DurationVar(&cfg.Wait, "wait", 0, "wait up to this long for the server to answer /healthz (a server just started)")
	bindReportFlags(fs, &cfg)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if cfg.Password == "" {
		cfg.Password = os.Getenv("TANGRAM_PASSWORD")
	}
	switch {
	case cfg.Clients < 1 || cfg.Clients > 10_000:
		return errors.New("-c must be between 1 and 10000")
	case cfg.N < 0 || cfg.N == 0 && cfg.Duration <= 0:
		return errors.New("give -n > 0 or -duration > 0")
	case cfg.Sample < 1 || cfg.Sample > 100_000:
		return errors.New("-sample must be between 1 and 100000")
	case cfg.Coupons < 0 || cfg.Coupons > 100 || cfg.StoredValue < 0 || cfg.StoredValue > 100:
		return errors.New("-coupons and -stored-value are percentages")
	case cfg.PID < 0 || cfg.Wait < 0:
		return errors.New("-pid and -wait must not be negative")
	}
	if err := checkReportFlags(&cfg); err != nil {
		return err
	}
	if err := waitServer(ctx, &cfg); err != nil {
		return err
	}
	c, err := NewBenchClient(ctx, &cfg)
	if err != nil {
		return err
	}
	next, err := sc.Prepare(ctx, c, &cfg)
	if err != nil {
		return fmt.Errorf("prepare %s: %w", args[0], err)
	}
	mem, err := memoryBefore(cfg.PID)
	if err != nil {
		return err
	}
	var cold *BenchCold
	if sc.Cold != nil {
		if cold, err = sc.Cold(ctx, c, &cfg); err != nil {
			return fmt.Errorf("%s cold run: %w", args[0], err)
		}
	}
	rep := runLoad(ctx, c, &cfg, next)
	rep.Scenario, rep.URL, rep.App, rep.Cold, rep.Memory = args[0], cfg.URL, cfg.App, cold, mem
	if err := mem.after(); err != nil {
		return err
	}
	if cfg.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(out, rep)
	return nil
}

// BenchClient is an HTTP client of one server with a bearer token.
type BenchClient struct {
	http  *http.Client
	base  string
	token string
}

// NewBenchClient makes the client and signs in unless cfg has a token.
func NewBenchClient(ctx context.Context, cfg *BenchConfig) (*BenchClient, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("-url %q: want http(s)://host:port", cfg.URL)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = cfg.Clients*2, cfg.Clients*2
	c := &BenchClient{http: &http.Client{Transport: tr, Timeout: cfg.Timeout}, base: strings.TrimRight(cfg.URL, "/"), token: cfg.Token}
	if c.token != "" {
		return c, nil
	}
	if cfg.Password == "" {
		return nil, errors.New("give -token, or -user with -password (or TANGRAM_PASSWORD)")
	}
	body, _ := json.Marshal(map[string]string{"username": cfg.User, "password": cfg.Password})
	var res struct{ Token string }
	if err := c.call(ctx, BenchRequest{Method: "POST", Path: "/api/auth/login", Body: body}, &res); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	c.token = res.Token
	return c, nil
}

// do sends one request and returns its status and body (its first 4 MiB:
// the load needs only the status and an error's code).
func (c *BenchClient) do(ctx context.Context, rq BenchRequest) (int, []byte, error) {
	return c.doLimit(ctx, rq, 4<<20)
}

// doLimit sends one request and returns its status and up to limit bytes
// of its body; the rest is read and dropped, so the time is until the
// last byte and the connection is reused.
func (c *BenchClient) doLimit(ctx context.Context, rq BenchRequest, limit int64) (int, []byte, error) {
	var rd io.Reader
	if rq.Body != nil {
		rd = bytes.NewReader(rq.Body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, c.base+rq.Path, rd)
	if err != nil {
		return 0, nil, err
	}
	if rq.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept-Language", "en")
	for k, v := range rq.Header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode, b, err
}

// call sends a request and decodes a 2xx answer into out; another status
// is an error with the problem's code and detail.
func (c *BenchClient) call(ctx context.Context, rq BenchRequest, out any) error {
	status, b, err := c.do(ctx, rq)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return problemError(rq, status, b)
	}
	return json.Unmarshal(b, out)
}

// problemError is a non-2xx answer as an error: the request, the status,
// and the problem's code and detail.
func problemError(rq BenchRequest, status int, b []byte) error {
	var p struct{ Code, Detail, Title string }
	_ = json.Unmarshal(b, &p)
	return fmt.Errorf("%s %s: %d %s %s", rq.Method, rq.Path, status, p.Code, firstNonEmpty(p.Detail, p.Title, string(b)))
}

// List reads up to limit records of form matching filter (JSON, may be
// empty) in sort order, page by page.
func (c *BenchClient) List(ctx context.Context, app, form, filter, sort string, limit int) ([]map[string]any, error) {
	var out []map[string]any
	cursor := ""
	for len(out) < limit {
		q := url.Values{"limit": {fmt.Sprint(min(1000, limit-len(out)))}}
		if filter != "" {
			q.Set("filter", filter)
		}
		if sort != "" {
			q.Set("sort", sort)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items []map[string]any
			Next  string
		}
		path := "/api/apps/" + url.PathEscape(app) + "/forms/" + url.PathEscape(form) + "/records?" + q.Encode()
		if err := c.call(ctx, BenchRequest{Method: "GET", Path: path}, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" || len(page.Items) == 0 {
			break
		}
		cursor = page.Next
	}
	return out, nil
}

// runLoad sends requests from cfg.Clients goroutines until the count or
// the time is up (or ctx ends) and summarises them.
func runLoad(ctx context.Context, c *BenchClient, cfg *BenchConfig, next func(*rand.Rand, int, int) BenchRequest) BenchReport {
	runCtx := ctx
	if cfg.N == 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	var issued atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, 1024)
	byCode := map[string]int{}
	requests := 0
	start := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.Clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			var mine []time.Duration
			errsOf := map[string]int{}
			n := 0
			for seq := 0; ; seq++ {
				if runCtx.Err() != nil || (cfg.N > 0 && issued.Add(1) > int64(cfg.N)) {
					break
				}
				rq := next(r, w, seq)
				t0 := time.Now()
				status, body, err := c.do(runCtx, rq)
				d := time.Since(t0)
				if err != nil && runCtx.Err() != nil && cfg.N == 0 {
					break // the run's time ran out mid-request: not an error of the server
				}
				n++
				switch {
				case err != nil:
					errsOf["transport: "+transportError(err)]++
				case status/100 != 2:
					var p struct{ Code string }
					_ = json.Unmarshal(body, &p)
					errsOf[fmt.Sprintf("%d %s", status, firstNonEmpty(p.Code, http.StatusText(status)))]++
				default:
					mine = append(mine, d)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range errsOf {
				byCode[k] += v
			}
			requests += n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	rep := BenchReport{Clients: cfg.Clients, Requests: requests, OK: len(lat), Errors: requests - len(lat),
		Seconds: elapsed.Seconds(), ByCode: byCode}
	if elapsed > 0 {
		rep.Throughput = float64(len(lat)) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		pct := func(p float64) float64 { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
		rep.P50, rep.P95, rep.P99, rep.Max = pct(0.50), pct(0.95), pct(0.99), ms(lat[len(lat)-1])
	}
	return rep
}

// transportError names a failed request's cause briefly (the counts are
// grouped by it).
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func printReport(out io.Writer, r BenchReport) {
	fmt.Fprintf(out, "scenario     %s (app %s at %s)\n", r.Scenario, r.App, r.URL)
	if r.Cold != nil {
		printCold(out, r.Cold)
		fmt.Fprintln(out, "warm (the load below, from the result cache while nothing is written):")
	}
	fmt.Fprintf(out, "clients      %d\n", r.Clients)
	fmt.Fprintf(out, "requests     %d in %.1f s: %d ok, %d failed\n", r.Requests, r.Seconds, r.OK, r.Errors)
	fmt.Fprintf(out, "throughput   %.1f ok/s\n", r.Throughput)
	fmt.Fprintf(out, "latency (ok) p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n", r.P50, r.P95, r.P99, r.Max)
	if len(r.ByCode) > 0 {
		fmt.Fprintln(out, "errors by status and code:")
		keys := make([]string, 0, len(r.ByCode))
		for k := range r.ByCode {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(out, "  %-48s %d\n", k, r.ByCode[k])
		}
	}
	if r.Memory != nil {
		printMemory(out, r.Memory)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// benchProducts are what benchmark baskets hold (yuan prices as the
// checkout takes them); the last three make a basket that meets every
// demo coupon's minimum spend and category.
var benchProducts = []struct{ sku, name, category, price string }{
	{"FR0001", "红富士苹果 1kg", "生鲜", "12.90"}, {"GR0002", "花生油 5L", "粮油", "99.90"},
	{"SN0002", "每日坚果 25g×30", "休闲零食", "129.00"}, {"BV0001", "矿泉水 550ml×24", "饮料", "29.90"},
	{"HC0002", "抽纸 3层×24包", "日化清洁", "49.90"}, {"PC0003", "面膜 10片", "个护美妆", "99.00"},
	{"DA0001", "纯牛奶 250ml×12", "乳品", "49.80"}, {"FR0005", "精品五花肉 500g", "生鲜", "25.90"},
	{"LQ0003", "白酒 52度 500ml", "酒水", "499.00"},
}

// basketLines draws one to four distinct products; big adds the three
// that make a 600-yuan basket with 51.80 yuan of 生鲜.
func basketLines(r *rand.Rand, big bool) []map[string]any {
	var picks []int
	if big {
		picks = []int{6, 7, 8}
	}
	want := len(picks) + 1 + r.IntN(4)
	for len(picks) < want {
		if i := r.IntN(len(benchProducts) - 3); !slices.Contains(picks, i) {
			picks = append(picks, i)
		}
	}
	lines := make([]map[string]any, len(picks))
	for k, i := range picks {
		p := benchProducts[i]
		q := 1 + r.IntN(2)
		if big && i == 7 {
			q = 2
		}
		lines[k] = map[string]any{"sku": p.sku, "name": p.name, "category": p.category, "quantity": q, "price": p.price}
	}
	return lines
}

// svMember is a sampled member with stored value and what the run has
// not spent of it yet (fen).
type svMember struct {
	id   string
	left atomic.Int64
}

// prepareCheckout samples open stores, members (from random points of
// the phone order, so a million-member app is not read whole), members
// with stored value and unused unexpired coupons, and returns checkouts
// with unique receipt ids: cfg.Coupons percent redeem a sampled coupon
// (each once, with a basket that qualifies), cfg.StoredValue percent pay
// one to five yuan from a sampled balance.
func prepareCheckout(ctx context.Context, c *BenchClient, cfg *BenchConfig) (func(*rand.Rand, int, int) BenchRequest, error) {
	stores, err := c.List(ctx, cfg.App, "stores", `{"status":"open"}`, "code", 1000)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, s := range stores {
		if code, ok := s["code"].(string); ok {
			codes = append(codes, code)
		}
	}
	seen := map[string]bool{}
	var refs []map[string]any // how each sampled member is named at the till
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for tries := 0; len(refs) < cfg.Sample && tries < 8; tries++ {
		from := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
		if tries == 0 {
			from = "1"
		}
		page, err := c.List(ctx, cfg.App, "members", fmt.Sprintf(`{"phone":{"$gte":%q}}`, from), "phone", max(1, cfg.Sample/4))
		if err != nil && tries == 0 {
			// A caller who sees phones masked may not filter on them:
			// the newest members then, in one go.
			tries = 8
			page, err = c.List(ctx, cfg.App, "members", "", "", cfg.Sample)
		}
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			id, _ := m["_id"].(string)
			if id == "" || seen[id] || len(refs) >= cfg.Sample {
				continue
			}
			seen[id] = true
			// By phone, as a cashier asks; by id when the caller sees
			// phones masked.
			if p, ok := m["phone"].(string); ok && !strings.Contains(p, "*") {
				refs = append(refs, map[string]any{"phone": p})
			} else {
				refs = append(refs, map[string]any{"id": id})
			}
		}
	}
	if len(codes) == 0 || len(refs) == 0 {
		return nil, fmt.Errorf("app %s has no open stores or no members to check out (install the template with demo members)", cfg.App)
	}
	var sv []*svMember
	if cfg.StoredValue > 0 {
		rich, err := c.List(ctx, cfg.App, "members", `{"balance":{"$gt":0}}`, "", min(cfg.Sample, 1000))
		if err != nil {
			return nil, err
		}
		for _, m := range rich {
			s := &svMember{id: fmt.Sprint(m["_id"])}
			if n, ok := m["balance"].(float64); ok {
				s.left.Store(int64(n))
			}
			sv = append(sv, s)
		}
	}
	var coupons []map[string]any
	if cfg.Coupons > 0 {
		tpls, err := c.List(ctx, cfg.App, "coupon-templates", `{"type":{"$in":["amount","percent","exchange"]},"status":"active"}`, "", 1000)
		if err != nil {
			return nil, err
		}
		usable := map[any]bool{}
		for _, t := range tpls {
			if st, _ := t["stores"].([]any); len(st) == 0 {
				usable[t["_id"]] = true
			}
		}
		now := time.Now().UTC().Format(time.RFC3339)
		list, err := c.List(ctx, cfg.App, "coupons", fmt.Sprintf(`{"status":"issued","expiresAt":{"$gt":%q}}`, now), "", 10_000)
		if err != nil {
			return nil, err
		}
		for _, cp := range list {
			if usable[cp["template"]] && cp["member"] != nil {
				coupons = append(coupons, cp)
			}
		}
	}
	var nextCoupon atomic.Int64
	tag := strconvBase36(time.Now().UnixNano())
	path := "/api/apps/" + url.PathEscape(cfg.App) + "/actions/checkout"
	return func(r *rand.Rand, worker, seq int) BenchRequest {
		receipt := fmt.Sprintf("BN%s-%d-%d", tag, worker, seq)
		body := map[string]any{"receiptId": receipt, "store": codes[r.IntN(len(codes))],
			"member": refs[r.IntN(len(refs))]}
		big := false
		if r.IntN(100) < cfg.Coupons {
			if i := nextCoupon.Add(1) - 1; i < int64(len(coupons)) {
				body["member"] = map[string]any{"id": coupons[i]["member"]} // a coupon is its owner's
				body["couponCodes"] = []any{coupons[i]["code"]}
				big = true
			}
		}
		if !big && len(sv) > 0 && r.IntN(100) < cfg.StoredValue {
			s, pay := sv[r.IntN(len(sv))], int64(100+r.IntN(401))
			if s.left.Add(-pay) >= 0 {
				body["member"] = map[string]any{"id": s.id}
				body["payments"] = map[string]any{"storedValue": fmt.Sprintf("%d.%02d", pay/100, pay%100)}
			} else {
				s.left.Add(pay) // not enough left: an ordinary sale
			}
		}
		body["lines"] = basketLines(r, big)
		b, _ := json.Marshal(body)
		return BenchRequest{Method: "POST", Path: path, Body: b, Header: map[string]string{"Idempotency-Key": receipt}}
	}, nil
}

// prepareRecordsCreate makes new members through the records API, with
// phone numbers in the 162 segment (which the demo data does not use)
// counted from a per-run start.
func prepareRecordsCreate(_ context.Context, _ *BenchClient, cfg *BenchConfig) (func(*rand.Rand, int, int) BenchRequest, error) {
	var n atomic.Int64
	n.Store(time.Now().UnixNano() / 1000 % 100_000_000)
	path := "/api/apps/" + url.PathEscape(cfg.App) + "/forms/members/records"
	return func(r *rand.Rand, _, _ int) BenchRequest {
		b, _ := json.Marshal(map[string]any{"name": "压测会员", "phone": fmt.Sprintf("162%08d", n.Add(1)%100_000_000), "source": "pos"})
		return BenchRequest{Method: "POST", Path: path, Body: b}
	}, nil
}

// strconvBase36 renders n in base 36 (a short run tag for receipt ids).
func strconvBase36(n int64) string { return strings.ToUpper(strconv.FormatInt(n, 36)) }
