package automation

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is how a server runs the automation engine.
type Config struct {
	// Disabled keeps this process from running the runner (dispatch,
	// schedules, runs, deliveries); its API still answers. Run the runner
	// on some instances and not on others, or stop it for maintenance.
	Disabled bool
	Options  Options
}

// ConfigFromEnv reads the configuration from the environment:
//
//	TANGRAM_AUTOMATION_RUNNER       off: no runner in this process
//	TANGRAM_AUTOMATION_EVERY        idle poll interval (Go duration, default 1s)
//	TANGRAM_AUTOMATION_WORKERS      runs executed at once (default 16)
//	TANGRAM_AUTOMATION_CATCHUP      catch-up window of schedules (default 24h)
//	TANGRAM_AUTOMATION_LEASE        how long a runner holds work without progress (default 30s)
//	TANGRAM_AUTOMATION_RETENTION    how long finished work is kept (default 720h; -1 forever)
//	TANGRAM_HTTP_ALLOW_PRIVATE      1: http.call and channels may reach private addresses
//	TANGRAM_CHANNELS                message channels: a JSON object {"name": {"type": ..., "config": {...}}},
//	                                or @path of a file holding one
func ConfigFromEnv() (Config, error) {
	var c Config
	var err error
	bad := func(name string, e error) error { return fmt.Errorf("%s: %w", name, e) }
	switch v := strings.ToLower(os.Getenv("TANGRAM_AUTOMATION_RUNNER")); v {
	case "", "on", "1", "true":
	case "off", "0", "false":
		c.Disabled = true
	default:
		return c, bad("TANGRAM_AUTOMATION_RUNNER", fmt.Errorf("on or off, not %q", v))
	}
	for _, d := range []struct {
		name string
		into *time.Duration
	}{{"TANGRAM_AUTOMATION_EVERY", &c.Options.Every}, {"TANGRAM_AUTOMATION_CATCHUP", &c.Options.CatchUp},
		{"TANGRAM_AUTOMATION_RETENTION", &c.Options.Retention}, {"TANGRAM_AUTOMATION_LEASE", &c.Options.LeaseTTL}} {
		if v := os.Getenv(d.name); v != "" {
			if v == "-1" {
				*d.into = -1
				continue
			}
			if *d.into, err = time.ParseDuration(v); err != nil || *d.into <= 0 {
				return c, bad(d.name, fmt.Errorf("a positive duration such as 30s or 24h, not %q", v))
			}
		}
	}
	if v := os.Getenv("TANGRAM_AUTOMATION_WORKERS"); v != "" {
		if c.Options.Workers, err = strconv.Atoi(v); err != nil || c.Options.Workers < 1 || c.Options.Workers > 256 {
			return c, bad("TANGRAM_AUTOMATION_WORKERS", fmt.Errorf("between 1 and 256, not %q", v))
		}
	}
	c.Options.HTTP.AllowPrivate = os.Getenv("TANGRAM_HTTP_ALLOW_PRIVATE") == "1"
	if v := strings.TrimSpace(os.Getenv("TANGRAM_CHANNELS")); v != "" {
		raw := []byte(v)
		if path, ok := strings.CutPrefix(v, "@"); ok {
			if raw, err = os.ReadFile(path); err != nil {
				return c, bad("TANGRAM_CHANNELS", err)
			}
		}
		if err := decodeStrict(raw, &c.Options.Channels); err != nil {
			return c, bad("TANGRAM_CHANNELS", err)
		}
	}
	return c, nil
}

// MarshalChannels renders channel settings for TANGRAM_CHANNELS.
func MarshalChannels(ch map[string]ChannelConfig) string {
	raw, _ := json.Marshal(ch)
	return string(raw)
}
