package builderui_test

import (
	"io/fs"
	"strings"
	"testing"

	builderui "github.com/tangram/tangram/builder-ui"
)

// TestFilesHaveAnIndex holds with and without a built UI: the fallback
// page explains how to build it, the built one loads the app.
func TestFilesHaveAnIndex(t *testing.T) {
	page, err := fs.ReadFile(builderui.Files(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	want := "make ui"
	if builderui.Built() {
		want = `<div id="root">`
	}
	if !strings.Contains(string(page), want) {
		t.Fatalf("index.html (built=%v) lacks %q", builderui.Built(), want)
	}
}
