package templates

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// Action scripts. An action's script may sit beside its definition
// ("checkout.js" next to "checkout.json", which then has no "script"): a
// script reads and reviews better as a file than as one JSON string. A
// line "// @include name" in it is replaced by lib/name.js of the
// template's layers (the latest layer that has one), so helpers several
// actions share — failing with a coded error, finding a member — are
// written once. The installed definition holds the whole script, so each
// action stays one self-contained definition that the builder shows and
// edits as it runs.

// libDir is a layer's directory of script helpers.
const libDir = "lib"

var includeRe = regexp.MustCompile(`(?m)^// @include ([a-z][a-z0-9-]*)\n`)

// loadLib adds the helpers of a layer's lib directory, if any, to libs.
func loadLib(dir string, libs map[string]string) error {
	list, err := fs.ReadDir(files, path.Join(dir, libDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range list {
		name, ok := strings.CutSuffix(f.Name(), ".js")
		if f.IsDir() || !ok {
			return fmt.Errorf("%s/%s/%s: only .js helpers belong here", dir, libDir, f.Name())
		}
		src, err := fs.ReadFile(files, path.Join(dir, libDir, f.Name()))
		if err != nil {
			return err
		}
		if includeRe.Match(src) {
			return fmt.Errorf("%s/%s/%s: helpers do not include others", dir, libDir, f.Name())
		}
		libs[name] = string(src)
	}
	return nil
}

// withScript puts the script kept at jsPath, its includes expanded, into
// an action's spec; a spec without such a file is returned as it is.
func withScript(spec json.RawMessage, jsPath string, libs map[string]string) (json.RawMessage, error) {
	src, err := fs.ReadFile(files, jsPath)
	if errors.Is(err, fs.ErrNotExist) {
		return spec, nil
	}
	if err != nil {
		return nil, err
	}
	var missing string
	script := includeRe.ReplaceAllStringFunc(string(src), func(line string) string {
		name := includeRe.FindStringSubmatch(line)[1]
		lib, ok := libs[name]
		if !ok && missing == "" {
			missing = name
		}
		return lib
	})
	if missing != "" {
		return nil, fmt.Errorf("%s: no %s/%s.js to include", jsPath, libDir, missing)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(spec, &obj); err != nil {
		return nil, err
	}
	if _, ok := obj["script"]; ok {
		return nil, fmt.Errorf("%s: the action has a script of its own", jsPath)
	}
	if obj["script"], err = json.Marshal(script); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}
