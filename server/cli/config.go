// Package cli holds the tangram command's subcommands. Every flag has a
// TANGRAM_* environment variable; a flag given on the command line wins.
package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is what `tangram serve` needs.
type Config struct {
	Addr      string
	DataDir   string
	MongoURI  string
	LogLevel  string
	BodyLimit int
	// UploadLimit bounds streamed import and file-upload bodies.
	UploadLimit int64
}

// bindServe declares the serve flags with environment defaults.
func bindServe(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Addr, "addr", env("TANGRAM_ADDR", ":8080"), "listen address (TANGRAM_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("TANGRAM_DATA_DIR", "./data"), "data directory of the embedded store (TANGRAM_DATA_DIR)")
	fs.StringVar(&c.MongoURI, "mongo", env("TANGRAM_MONGO_URI", ""), "MongoDB URI; when set, MongoDB is used instead of the embedded store (TANGRAM_MONGO_URI)")
	fs.StringVar(&c.LogLevel, "log-level", env("TANGRAM_LOG_LEVEL", "info"), "debug, info, warn or error (TANGRAM_LOG_LEVEL)")
	fs.IntVar(&c.BodyLimit, "body-limit", envInt("TANGRAM_BODY_LIMIT", 8<<20), "largest accepted JSON request body in bytes (TANGRAM_BODY_LIMIT)")
	fs.Int64Var(&c.UploadLimit, "upload-limit", int64(envInt("TANGRAM_UPLOAD_LIMIT", 1<<30)), "largest accepted import or file upload in bytes, read as a stream (TANGRAM_UPLOAD_LIMIT)")
}

// StoreURI is the store the configuration selects.
func (c Config) StoreURI() (string, error) {
	if c.MongoURI != "" {
		return c.MongoURI, nil
	}
	dir, err := filepath.Abs(c.DataDir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("data dir: %w", err)
	}
	return "sqlite://" + filepath.ToSlash(filepath.Join(dir, "tangram.db")), nil
}

// Logger makes the JSON logger for the configured level.
func (c Config) Logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(c.LogLevel))); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(env(name, "")); err == nil {
		return v
	}
	return def
}
