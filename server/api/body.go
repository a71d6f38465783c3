package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
)

// MaxJSONDepth bounds the nesting of any JSON request body; deeper bodies
// are refused before they are decoded into maps.
const MaxJSONDepth = 64

// decodeJSON strictly decodes the request body into v: JSON content type,
// no unknown fields, one value, bounded nesting. Errors are 400 problems
// that say where the body is wrong.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.New(errs.Invalid, "request.content_type", "the body must be application/json")
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return errs.New(errs.Invalid, "request.empty", "the request needs a JSON body")
	}
	if err := checkDepth(body, MaxJSONDepth); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return errs.New(errs.Invalid, "request.malformed", "the body has data after its JSON value")
	}
	return nil
}

// jsonProblem explains a decoding error with its location.
func jsonProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errs.New(errs.Invalid, "request.malformed", "the body is not valid JSON: %s (byte %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		return &errs.Error{Class: errs.Invalid, Code: "request.type", Msg: "a value in the body has the wrong type",
			Fields: []errs.FieldError{{Path: te.Field, Code: "request.type", Message: fmt.Sprintf("expected %s, got %s", te.Type, te.Value)}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &errs.Error{Class: errs.Invalid, Code: "request.unknown_field", Msg: "the body has an unknown field",
			Fields: []errs.FieldError{{Path: name, Code: "request.unknown_field", Message: "unknown field " + strconv.Quote(name)}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.Invalid, "request.malformed", "the body ends in the middle of a JSON value")
	}
	return errs.New(errs.Invalid, "request.malformed", "the body is not valid JSON")
}

// checkDepth scans raw JSON for nesting deeper than max without decoding it.
func checkDepth(b []byte, max int) error {
	depth, inStr, esc := 0, false, false
	for _, ch := range b {
		switch {
		case esc:
			esc = false
		case inStr:
			if ch == '\\' {
				esc = true
			} else if ch == '"' {
				inStr = false
			}
		case ch == '"':
			inStr = true
		case ch == '{' || ch == '[':
			depth++
			if depth > max {
				return errs.New(errs.Invalid, "request.too_deep", "the body nests deeper than %d levels", max)
			}
		case ch == '}' || ch == ']':
			depth--
		}
	}
	return nil
}

// ifMatch reads the If-Match header as a definition version: "3", "\"3\"" or
// W/"3". Missing gives 0.
func ifMatch(c *fiber.Ctx) (int, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		return 0, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.Atoi(h)
	if err != nil || n < 1 {
		return 0, errs.New(errs.Invalid, "request.if_match", "If-Match must be a version number such as \"3\"")
	}
	return n, nil
}

// intQuery reads an optional positive integer query parameter.
func intQuery(c *fiber.Ctx, name string, def, max int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || (max > 0 && n > max) {
		return 0, &errs.Error{Class: errs.Invalid, Code: "request.query", Msg: "bad query parameter",
			Fields: []errs.FieldError{{Path: name, Code: "request.query", Message: fmt.Sprintf("must be an integer between 0 and %d", max)}}}
	}
	return n, nil
}
