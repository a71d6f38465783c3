package action

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/script"
)

// scriptProblem restates an error of the script itself (a thrown error,
// the deadline, a resource limit) for the caller: the reason in lang, with
// the line and column in the action's script, under the field path
// "script" of the definition. The script package's error stays the cause,
// so script.PositionOf still finds the position. Errors of host functions
// (ledger.insufficient_balance, record.validation, ...) and of the Go
// side pass through unchanged: they already speak for themselves.
func scriptProblem(err error, limit time.Duration, lang string) error {
	e, ok := errs.As(err)
	var se *script.ScriptError
	if !ok || !strings.HasPrefix(e.Code, "script.") || !errors.As(err, &se) {
		return err
	}
	where := ""
	if se.Pos.IsValid() {
		where = position(lang, se.Pos)
	}
	var m string
	switch e.Code {
	case script.CodeTimeout:
		m = msg(lang, "script.timeout", limit, where)
	case script.CodeError, script.CodeLimit, script.CodeSyntax:
		m = msg(lang, e.Code, where, se.Message)
	case script.CodeOutput:
		m = msg(lang, "script.output", se.Message)
	default:
		return err
	}
	return &errs.Error{Class: e.Class, Code: e.Code, Msg: m,
		Fields: []errs.FieldError{{Path: "script", Code: e.Code, Message: m}}, Cause: err}
}

// timeoutProblem is the script.timeout error of a run its context's
// backstop ended, at the script's position when known.
func timeoutProblem(err error, limit time.Duration, lang string) error {
	where := ""
	if pos, ok := script.PositionOf(err); ok {
		where = position(lang, pos)
	}
	m := msg(lang, "script.timeout", limit, where)
	return &errs.Error{Class: errs.Unprocessable, Code: script.CodeTimeout, Msg: m,
		Fields: []errs.FieldError{{Path: "script", Code: script.CodeTimeout, Message: m}}, Cause: err}
}

// position renders a place in the script, ready to follow a verb.
func position(lang string, p script.Position) string {
	if isEnglish(lang) {
		return fmt.Sprintf(" at line %d, column %d", p.Line, p.Column)
	}
	return fmt.Sprintf("（第 %d 行第 %d 列）", p.Line, p.Column)
}
