package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/tangram/tangram/engine/errs"
)

// Arguments of host functions arrive as the script engine exports them:
// nil, bool, string, int64 (integral numbers), float64, []any and
// map[string]any. A wrong argument is a 422 action.host_args naming the
// function and the argument, thrown into the script like any host error.

// argMessages explain a bad argument, zh-CN first.
var argMessages = map[string][2]string{
	"string":   {"第 %d 个参数（%s）应为文本", "argument %d (%s) must be a string"},
	"object":   {"第 %d 个参数（%s）应为对象", "argument %d (%s) must be an object"},
	"int":      {"第 %d 个参数（%s）应为整数", "argument %d (%s) must be an integer"},
	"required": {"缺少第 %d 个参数（%s）", "argument %d (%s) is missing"},
	"prop":     {"%s 应为%s", "%s must be %s"},
	"unknown":  {"不支持的属性 %s", "unknown property %s"},
}

// kindNames names the expected kinds of a property, zh-CN first.
var kindNames = map[string][2]string{
	"string": {"文本", "a string"}, "int": {"整数", "an integer"}, "object": {"对象", "an object"},
	"datetime": {"日期时间（如 2026-12-31T16:00:00Z）", "a date and time (e.g. 2026-12-31T16:00:00Z)"},
	"sort":     {"文本或文本列表", "a string or a list of strings"},
}

// args reads the arguments of one call of fn.
type args struct {
	fn   string
	list []any
	lang string
}

func (h *host) args(fn string, list []any) *args { return &args{fn: fn, list: list, lang: h.lang} }

// fail builds the error of a bad argument.
func (a *args) fail(kind string, xs ...any) error {
	m := argMessages[kind]
	f := m[0]
	if isEnglish(a.lang) {
		f = m[1]
	}
	return coded(a.lang, errs.Unprocessable, "action.host_args", a.fn, fmt.Sprintf(f, xs...))
}

func (a *args) at(i int) any {
	if i < len(a.list) {
		return a.list[i]
	}
	return nil
}

// str is argument i, a non-empty string.
func (a *args) str(i int, name string) (string, error) {
	switch v := a.at(i).(type) {
	case nil:
		return "", a.fail("required", i+1, name)
	case string:
		if v == "" {
			return "", a.fail("required", i+1, name)
		}
		return v, nil
	}
	return "", a.fail("string", i+1, name)
}

// optStr is argument i, a string or absent.
func (a *args) optStr(i int, name string) (string, error) {
	if a.at(i) == nil {
		return "", nil
	}
	s, ok := a.at(i).(string)
	if !ok {
		return "", a.fail("string", i+1, name)
	}
	return s, nil
}

// obj is argument i, an object; absent is nil when optional.
func (a *args) obj(i int, name string, optional bool) (map[string]any, error) {
	switch v := a.at(i).(type) {
	case nil:
		if optional {
			return nil, nil
		}
		return nil, a.fail("required", i+1, name)
	case map[string]any:
		return v, nil
	}
	return nil, a.fail("object", i+1, name)
}

// known refuses properties of an options object other than allowed: a
// misspelt option ("ifVerison") must not be silently ignored.
func (a *args) known(m map[string]any, allowed ...string) error {
	ok := map[string]bool{}
	for _, k := range allowed {
		ok[k] = true
	}
	var bad []string
	for k := range m {
		if !ok[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return a.fail("unknown", bad[0])
}

// prop fails for property name of an object that is not of kind.
func (a *args) prop(name, kind string) error {
	k := kindNames[kind]
	what := k[0]
	if isEnglish(a.lang) {
		what = k[1]
	}
	return a.fail("prop", name, what)
}

// propStr reads an optional string property.
func (a *args) propStr(m map[string]any, name string) (string, error) {
	switch v := m[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", a.prop(name, "string")
}

// propInt reads an optional integer property (0 when absent).
func (a *args) propInt(m map[string]any, name string) (int64, bool, error) {
	switch v := m[name].(type) {
	case nil:
		return 0, false, nil
	case int64:
		return v, true, nil
	}
	return 0, false, a.prop(name, "int")
}

// decodeJSON decodes JSON keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}
