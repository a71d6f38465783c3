// Package builderui holds the files of Tangram's web UI, embedded in the
// binary so that one executable serves the API and the UI.
//
// The pattern dist* matches two directories: dist, which `npm run build`
// (or `make ui`) writes, and dist-fallback, which is committed and always
// there. A fresh clone therefore builds with Go alone; its binary serves the
// fallback page, which says how to build the UI. Once dist exists, the next
// `go build` embeds it and Files serves it instead.
package builderui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist*
var files embed.FS

// Built reports whether the binary carries a built UI (dist/index.html)
// rather than only the fallback page.
func Built() bool {
	_, err := fs.Stat(files, "dist/index.html")
	return err == nil
}

// Files is the UI to serve: the built dist directory when the binary
// carries one, the fallback page otherwise. Paths are relative to the UI's
// root ("index.html", "assets/index-3fa2c1.js").
func Files() fs.FS {
	dir := "dist-fallback"
	if Built() {
		dir = "dist"
	}
	sub, err := fs.Sub(files, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path; both names are valid.
		panic(err)
	}
	return sub
}
