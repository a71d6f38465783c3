package script

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

func TestFormulaValues(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	cases := []struct {
		expr   string
		params []string
		args   []any
		want   any
	}{
		{"price * qty", []string{"price", "qty"}, []any{2.5, 4}, int64(10)},
		{"price * qty", []string{"price", "qty"}, []any{int64(1999), 3}, int64(5997)},
		{"price * qty", []string{"price", "qty"}, []any{1.5, 3}, 4.5},
		{"price * qty", []string{"price", "qty"}, []any{nil, 3}, int64(0)},
		{"价格 * 数量", []string{"价格", "数量"}, []any{2, 3}, int64(6)},
		{"price > 100 && vip", []string{"price", "vip"}, []any{150, true}, true},
		{`name + "先生"`, []string{"name"}, []any{"王"}, "王先生"},
		{`IF(tier == "gold", 2, 1)`, []string{"tier"}, []any{"gold"}, int64(2)},
		{`IF(tier == "gold", 2, 1)`, []string{"tier"}, []any{"silver"}, int64(1)},
		{"IF(false, 1)", nil, nil, nil},
		{"tags.length", []string{"tags"}, []any{[]any{"a", "b"}}, int64(2)},
		{"m.total", []string{"m"}, []any{map[string]any{"total": 12.5}}, 12.5},
		{"[1, 2, 3].map(x => x * 2)", nil, nil, []any{int64(2), int64(4), int64(6)}},
		{"({a: 1, b: [true, null, undefined], f: () => 1})", nil, nil,
			map[string]any{"a": int64(1), "b": []any{true, nil, nil}}},
		{"new Date(0)", nil, nil, "1970-01-01T00:00:00.000Z"},
		{"0 / 0", nil, nil, nil},
		{"1 / 0", nil, nil, nil},
		{"-0", nil, nil, int64(0)},
		{"2 ** 53 - 1", nil, nil, int64(1<<53 - 1)},
		{"2 ** 53", nil, nil, float64(1 << 53)},
		{"2 ** 60", nil, nil, float64(1 << 60)},
		{"10n", nil, nil, int64(10)},
		{"undefined", nil, nil, nil},
		{"Symbol()", nil, nil, nil},
		{"x /* comment */ + 1 // trailing", []string{"x"}, []any{1}, int64(2)},
	}
	for _, c := range cases {
		f, err := CompileFormula(c.expr, c.params)
		if err != nil {
			t.Errorf("%s: compile: %v", c.expr, err)
			continue
		}
		got, err := e.EvalFormula(context.Background(), f, c.args...)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.expr, got, c.want)
		}
	}
}

func TestFormulaStdlib(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	cases := []struct {
		expr string
		want any
	}{
		// logic
		{"AND(true, 1, 'x')", true}, {"AND(true, 0)", false},
		{"OR(0, '', null)", false}, {"OR(0, 2)", true}, {"NOT(0)", true},
		// rounding: half away from zero on the decimal value
		{"ROUND(1.005, 2)", 1.01}, {"ROUND(2.675, 2)", 2.68}, {"ROUND(-1.005, 2)", -1.01},
		{"ROUND(1.45, 1)", 1.5}, {"ROUND(8.345, 2)", 8.35}, {"ROUND(0.285, 2)", 0.29},
		{"ROUND(1234.5)", int64(1235)}, {"ROUND(-2.5)", int64(-3)}, {"ROUND(2.4)", int64(2)},
		{"ROUND(1234, -2)", int64(1200)}, {"ROUND(1250, -2)", int64(1300)},
		{"ROUND(123456789.125, 2)", 123456789.13}, {"ROUND(19.99 * 3 * 0.95, 2)", 56.97},
		{"ROUND(1.23456789, 4)", 1.2346}, {"ROUND(5, 2)", int64(5)},
		{"FLOOR(0.29, 2)", 0.29}, {"FLOOR(2.7)", int64(2)}, {"FLOOR(-1.5)", int64(-2)},
		{"CEIL(1.001, 2)", 1.01}, {"CEIL(-1.5)", int64(-1)}, {"CEIL(0.29, 2)", 0.29},
		{"ABS(-3)", int64(3)},
		// aggregates skip blanks and text, flatten arrays
		{"MIN(3, [1, 5], null, 'x')", int64(1)}, {"MAX(3, [1, 5], null, 'x')", int64(5)},
		{"MIN()", nil}, {"SUM(0.1, 0.2)", 0.3}, {"SUM(1, 2, 3)", int64(6)},
		{"SUM([1, 2], [3])", int64(6)}, {"SUM(null, '', 'abc', 2)", int64(2)},
		{"AVG(1, 2)", 1.5}, {"AVG()", nil},
		// text
		{"LEN('会员卡')", int64(3)}, {"LEN(null)", int64(0)}, {"LEN([1, 2])", int64(2)},
		{"CONCAT('a', 1, null, [2, 'b'])", "a12b"},
		{"UPPER('abc')", "ABC"}, {"LOWER('ABC')", "abc"},
		{"TRIM('  a   b  ')", "a b"}, {"TRIM('\u3000会员\u3000')", "会员"},
		{"LEFT('会员卡号', 2)", "会员"}, {"LEFT('abc')", "a"}, {"RIGHT('abc', 2)", "bc"},
		{"RIGHT('ab', 5)", "ab"}, {"MID('abcdef', 2, 3)", "bcd"}, {"MID('abc', 5, 2)", ""},
		{"CONTAINS('VIP会员', '会员')", true}, {"CONTAINS(['a', 'b'], 'b')", true},
		{"CONTAINS(null, 'x')", false},
		{"TEXT(1234.5, 2)", "1234.50"}, {"TEXT(1.005, 2)", "1.01"}, {"TEXT(12)", "12"},
		{"TEXT(null, 2)", ""},
		// money in fen
		{"YUAN(1234)", "12.34"}, {"YUAN(-5)", "-0.05"}, {"YUAN(0)", "0.00"}, {"YUAN('100')", "1.00"},
		{"YUAN(null)", nil},
		{"FEN('12.34')", int64(1234)}, {"FEN(19.99 * 3)", int64(5997)}, {"FEN('0.005')", int64(1)},
		{"FEN(-0.015)", int64(-2)}, {"FEN(null)", nil},
		// dates: clock is 2026-03-15T20:30Z, which is 2026-03-16 in Shanghai
		{"TODAY()", "2026-03-16"}, {"NOW()", "2026-03-15T20:30:00.000Z"}, {"now()", "2026-03-15T20:30:00.000Z"},
		{"Date.now()", fixedNow.UnixMilli()},
		{"DATE_ADD('2026-01-31', 1, 'month')", "2026-02-28"},
		{"DATE_ADD('2024-01-31', 1, 'month')", "2024-02-29"},
		{"DATE_ADD('2024-02-29', 1, 'year')", "2025-02-28"},
		{"DATE_ADD('2026-03-16', 10)", "2026-03-26"},
		{"DATE_ADD('2026-03-16', -1, 'years')", "2025-03-16"},
		{"DATE_ADD('2026-03-16', 2, '周')", "2026-03-30"},
		{"DATE_ADD('2026-03-16T00:00:00.000Z', 2, 'hour')", "2026-03-16T02:00:00.000Z"},
		{"DATE_ADD('2026-03-16', 1, 'hour')", "2026-03-15T17:00:00.000Z"},
		{"DATE_ADD('2026-01-31T02:00:00.000Z', 1, 'month')", "2026-02-28T02:00:00.000Z"},
		{"DATE_ADD(null, 1)", nil},
		{"DAYS_BETWEEN('2026-03-01', '2026-03-16')", int64(15)},
		{"DAYS_BETWEEN('2026-03-16', '2026-03-01')", int64(-15)},
		{"DAYS_BETWEEN('2026-03-15T20:00:00.000Z', '2026-03-16')", int64(0)},
		{"DAYS_BETWEEN('2025-03-16', TODAY())", int64(365)},
		{"DAYS_BETWEEN(null, TODAY())", nil},
		{"YEAR('2026-03-16')", int64(2026)}, {"MONTH('2026-03-16')", int64(3)}, {"DAY('2026-03-16')", int64(16)},
		{"DAY('2026-03-15T20:00:00.000Z')", int64(16)},
		{"DAY(new Date(Date.UTC(2026, 0, 1, 17)))", int64(2)},
		{"BIRTHDAY_IN_DAYS('1990-03-16')", int64(0)},
		{"BIRTHDAY_IN_DAYS('1990-03-20')", int64(4)},
		{"BIRTHDAY_IN_DAYS('1990-03-10')", int64(359)},
		{"BIRTHDAY_IN_DAYS('2000-02-29')", int64(349)},
		{"BIRTHDAY_IN_DAYS('')", nil},
	}
	for _, c := range cases {
		got, err := eval(t, e, c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v (%T), want %#v", c.expr, got, got, c.want)
		}
	}
}

func TestFormulaStdlibErrors(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	for _, c := range []struct{ expr, msg string }{
		{"DATE_ADD('2026-13-01', 1)", "invalid date"},
		{"DATE_ADD('2026-03-01', 1, 'fortnight')", "unknown unit"},
		{"DATE_ADD('2026-03-01', 1.5)", "whole number"},
		{"YUAN(1.5)", "not an integer amount"},
		{"FEN('12,3')", "not a decimal amount"},
		{"MID('abc', 0, 1)", "start must be 1 or more"},
		{"LEFT('abc', -1)", "must not be negative"},
		{"YEAR(20260316)", "expected a date string"},
	} {
		_, err := eval(t, e, c.expr)
		se := wantCode(t, err, CodeError)
		if !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%s: message %q lacks %q", c.expr, se.Msg, c.msg)
		}
		if pos, ok := PositionOf(err); !ok || pos.Line != 1 {
			t.Errorf("%s: position %v", c.expr, pos)
		}
	}
}

// A formula is one expression and cannot escape the function it is wrapped
// in, whatever it contains.
func TestFormulaInjection(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		"1; while(true){}",
		"1); while(true){} (1",
		"1)}); (function(){ while(true){} })(); ((function(){return (1",
		"1\n);})();while(true){}\n(function(){return (\n1",
		"})()//",
		"1\n);\n(function(){",
		"a); } function evil() { while(true){} } (function(){ return (1",
		"",
		"   ",
		"var x = 1",
		"return 1",
		"if (true) 1",
	} {
		_, err := CompileFormula(expr, []string{"a"})
		wantCode(t, err, CodeSyntax)
	}
	// Injection through parameter names.
	for _, params := range [][]string{
		{"a){while(true){}}//"}, {"a,b"}, {"1a"}, {"class"}, {"eval"}, {"a", "a"}, {""},
	} {
		_, err := CompileFormula("1", params)
		e := wantCode(t, err, CodeSyntax)
		if !strings.HasPrefix(e.Fields[0].Path, "params[") {
			t.Errorf("params %q: path %q", params, e.Fields[0].Path)
		}
	}
}

func TestFormulaSyntaxPosition(t *testing.T) {
	t.Parallel()
	cases := []struct {
		expr      string
		line, col int
	}{
		{"price *", 1, 8},
		{"price * (qty +", 1, 15},
		{"price +\n  qty qty", 2, 7},
		{"1 +\n2;\n3", 2, 2},
	}
	for _, c := range cases {
		_, err := CompileFormula(c.expr, []string{"price", "qty"})
		e := wantCode(t, err, CodeSyntax)
		pos, ok := PositionOf(err)
		if !ok || pos.Line != c.line || pos.Column != c.col {
			t.Errorf("%q: position %v, want line %d, column %d (%v)", c.expr, pos, c.line, c.col, err)
		}
		if e.Class != errs.Unprocessable || !strings.Contains(e.Msg, pos.String()) || e.Fields[0].Path != pos.String() {
			t.Errorf("%q: error %#v", c.expr, e)
		}
		if p := AtPath(err, "fields[2].formula"); p.(*errs.Error).Fields[0].Path != "fields[2].formula" {
			t.Errorf("AtPath: %v", p)
		}
	}
}

func TestFormulaRuntimePosition(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	f := mustFormula(t, "1 +\n  member.level.name", "member")
	_, err := e.EvalFormula(context.Background(), f, nil)
	se := wantCode(t, err, CodeError)
	pos, _ := PositionOf(err)
	if pos.Line != 2 || pos.Column < 3 || !strings.Contains(se.Msg, "TypeError") {
		t.Errorf("got %v at %v", se.Msg, pos)
	}
}

func TestFormulaArgs(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, Options{})
	f := mustFormula(t, "a", "a")
	if _, err := e.EvalFormula(context.Background(), f); !errs.HasCode(err, CodeInput) {
		t.Errorf("missing argument: %v", err)
	}
	type secret struct{ Password string }
	if _, err := e.EvalFormula(context.Background(), f, secret{"x"}); !errs.HasCode(err, CodeInput) {
		t.Errorf("struct argument must be refused, not reflected: %v", err)
	}
	if _, err := e.EvalFormula(context.Background(), f, &secret{"x"}); !errs.HasCode(err, CodeInput) {
		t.Errorf("pointer argument must be refused: %v", err)
	}
}

func TestCompileCache(t *testing.T) {
	t.Parallel()
	a := mustFormula(t, "x + 1", "x")
	b := mustFormula(t, "x + 1", "x")
	c := mustFormula(t, "x + 1", "y", "x")
	if a != b || a == c {
		t.Error("formulas must be cached by params and source")
	}
	p1, p2 := mustProgram(t, "return 1"), mustProgram(t, "return 1")
	if p1 != p2 {
		t.Error("programs must be cached by source")
	}
	_, err1 := CompileFormula("1 +", nil)
	_, err2 := CompileFormula("1 +", nil)
	if err1 == nil || err1 != err2 {
		t.Error("compile errors must be cached")
	}
	// The cache is bounded.
	for i := range CacheSize + 10 {
		_, _ = CompileFormula("1 + "+itoa(int64(i)), nil)
	}
	compiled.mu.Lock()
	n := compiled.ll.Len()
	compiled.mu.Unlock()
	if n > CacheSize {
		t.Errorf("cache holds %d entries, max %d", n, CacheSize)
	}
}
