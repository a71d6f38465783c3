package report

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkRFM measures the stored-score RFM path on generated members
// (TANGRAM_RFM_BENCH_MEMBERS, default 100,000; 500 stores) in a SQLite
// file:
//
//	TANGRAM_RFM_BENCH_MEMBERS=200000 go test ./engine/report -run '^$' -bench RFM -benchtime 3x -timeout 60m
//
// cuts computes the quintile cut points alone (the store's quantiles over
// the buyers); score-first writes every buyer's scores, segment and
// segment tag (the first day, quintiles, the template's job), score-again
// finds nothing changed (every later day writes only the members whose
// scores moved), and the two reports group the stored fields without the
// result cache.
func BenchmarkRFM(b *testing.B) {
	e := newCRMEnv(b)
	bd := &benchData{e: e, members: envInt("TANGRAM_RFM_BENCH_MEMBERS", 100000)}
	start := time.Now()
	if err := bd.generate(e.ctx, 500); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "rfm bench: %d members generated in %v\n", bd.members, time.Since(start))
	b.Run("cuts", func(b *testing.B) {
		f, err := e.svc.records.Form(e.ctx, "crm", "members")
		if err != nil {
			b.Fatal(err)
		}
		sc := &rfmScorer{today: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)}
		var bands *rfmBands
		for b.Loop() {
			if bands, err = e.svc.rfmBandsOf(e.ctx, f, sc); err != nil {
				b.Fatal(err)
			}
		}
		fmt.Fprintf(os.Stderr, "rfm bench: cut points %+v\n", bands.cuts())
		b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
	})
	// score-first can be the first day only once: with -benchtime Nx its
	// later iterations find nothing to write, so its first iteration is
	// reported on its own (first-s, first-written).
	score := func(b *testing.B, wantChanged bool) {
		b.ReportAllocs()
		var first, res *RFMResult
		var firstTook time.Duration
		for b.Loop() {
			start := time.Now()
			var err error
			if res, err = e.svc.ScoreRFM(e.ctx, "crm", DefaultRFMJob, "en"); err != nil {
				b.Fatal(err)
			}
			if first == nil {
				first, firstTook = res, time.Since(start)
			}
		}
		if (first.Changed > 0) != wantChanged {
			b.Fatalf("changed %d", first.Changed)
		}
		b.ReportMetric(float64(res.Read), "members")
		b.ReportMetric(float64(res.Changed), "written")
		b.ReportMetric(float64(first.Changed), "first-written")
		b.ReportMetric(firstTook.Seconds(), "first-s")
		b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
		fmt.Fprintf(os.Stderr, "rfm bench: segments %v cuts %+v\n", res.Segments, res.Cuts)
	}
	b.Run("score-first", func(b *testing.B) { score(b, true) })
	b.Run("score-again", func(b *testing.B) { score(b, false) })
	for _, key := range []string{"rfm-segments", "rfm-scores"} {
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			var r *Result
			for b.Loop() {
				var err error
				if r, err = e.svc.Run(e.ctx, e.admin, "crm", key, RunRequest{NoCache: true}); err != nil {
					b.Fatal(err)
				}
			}
			var n int64
			for _, row := range r.Rows {
				n += intOf(row["members"])
			}
			b.ReportMetric(float64(len(r.Rows)), "rows")
			b.ReportMetric(float64(n), "members")
			b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
		})
	}
}
