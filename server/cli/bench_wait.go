package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// waitServer polls GET /healthz until the server answers 200 or cfg.Wait
// passes (nothing to do when cfg.Wait is 0): a script that has just
// started `tangram serve` on a large data directory runs the bench next.
func waitServer(ctx context.Context, cfg *BenchConfig) error {
	if cfg.Wait <= 0 {
		return nil
	}
	deadline := time.Now().Add(cfg.Wait)
	client := &http.Client{Timeout: 2 * time.Second}
	url := strings.TrimRight(cfg.URL, "/") + "/healthz"
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return fmt.Errorf("-url %q: %w", cfg.URL, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		last = err
		if time.Now().After(deadline) {
			return fmt.Errorf("server at %s did not answer /healthz within %v: %v", cfg.URL, cfg.Wait, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
