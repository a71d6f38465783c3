package meta

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkPublished is the runtime's lookup of a published definition
// whose revision is already cached, as every records, action and report
// request does it: what is left is finding which version is published.
//
//	go test ./engine/meta -run '^$' -bench Published -benchmem
func BenchmarkPublished(b *testing.B) {
	s := serviceAt(b, filepath.Join(b.TempDir(), "bench.db"))
	mustCreate(b, s, KindApp, "crm", "crm", `{"title":"CRM"}`)
	mustCreate(b, s, KindForm, "crm", "members", formSpec("v1"))
	mustPublish(b, s, KindForm, "crm", "members", 1)
	ctx := context.Background()
	if _, err := s.Published(ctx, "crm", KindForm, "members"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Published(ctx, "crm", KindForm, "members"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
