package report

import (
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// Formula measures are arithmetic over other measures of the same row:
// "sales / orders", "(repeatBuyers / buyers) * 100", "coalesce(refunds, 0)".
// They are evaluated after the aggregation, on exact rationals, so money
// in fen divides without float error; a division by zero or a null
// operand gives null. The grammar is small on purpose (hand-written: a
// script engine would be a large dependency for four operators, and its
// float arithmetic would be wrong for money):
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/") unary }
//	unary   = "-" unary | primary
//	primary = number | name | name "(" expr { "," expr } ")" | "(" expr ")"
//
// Functions: min, max (of two or more), abs, coalesce (first non-null).

// expr is a parsed formula node.
type expr struct {
	op   byte     // '+', '-', '*', '/', 'n' (number), 'v' (name), 'f' (function), 'u' (negation)
	num  *big.Rat // for 'n'
	name string   // for 'v' and 'f'
	args []*expr
}

// maxFormulaLen and maxFormulaDepth bound what a definition may ask for.
const (
	maxFormulaLen   = 2000
	maxFormulaDepth = 32
)

var formulaFuncs = map[string]int{"min": -2, "max": -2, "abs": 1, "coalesce": -1} // arity; -n: at least n

// parseFormula parses src; refs lists the names it reads.
func parseFormula(src string) (e *expr, refs []string, err error) {
	if len(src) > maxFormulaLen {
		return nil, nil, fmt.Errorf("longer than %d characters", maxFormulaLen)
	}
	p := &formulaParser{src: src}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(formulaError)
			if !ok {
				panic(r)
			}
			e, refs, err = nil, nil, pe
		}
	}()
	e = p.expr(0)
	p.space()
	if p.pos < len(p.src) {
		p.fail("unexpected %q", p.src[p.pos:])
	}
	return e, p.refs, nil
}

type formulaError string

func (e formulaError) Error() string { return string(e) }

type formulaParser struct {
	src  string
	pos  int
	refs []string
}

func (p *formulaParser) fail(format string, args ...any) {
	panic(formulaError(fmt.Sprintf("at %d: ", p.pos+1) + fmt.Sprintf(format, args...)))
}

func (p *formulaParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n') {
		p.pos++
	}
}

func (p *formulaParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *formulaParser) expr(depth int) *expr {
	if depth > maxFormulaDepth {
		p.fail("nested too deeply")
	}
	left := p.term(depth)
	for c := p.peek(); c == '+' || c == '-'; c = p.peek() {
		p.pos++
		left = &expr{op: c, args: []*expr{left, p.term(depth)}}
	}
	return left
}

func (p *formulaParser) term(depth int) *expr {
	left := p.unary(depth)
	for c := p.peek(); c == '*' || c == '/'; c = p.peek() {
		p.pos++
		left = &expr{op: c, args: []*expr{left, p.unary(depth)}}
	}
	return left
}

func (p *formulaParser) unary(depth int) *expr {
	if p.peek() == '-' {
		p.pos++
		if depth > maxFormulaDepth {
			p.fail("nested too deeply")
		}
		return &expr{op: 'u', args: []*expr{p.unary(depth + 1)}}
	}
	return p.primary(depth)
}

func (p *formulaParser) primary(depth int) *expr {
	c := p.peek()
	switch {
	case c == '(':
		p.pos++
		e := p.expr(depth + 1)
		if p.peek() != ')' {
			p.fail("missing )")
		}
		p.pos++
		return e
	case c >= '0' && c <= '9' || c == '.':
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
		r, ok := new(big.Rat).SetString(p.src[start:p.pos])
		if !ok || strings.Count(p.src[start:p.pos], ".") > 1 {
			p.fail("bad number %q", p.src[start:p.pos])
		}
		return &expr{op: 'n', num: r}
	case c == '_' || c < unicode.MaxASCII && unicode.IsLetter(rune(c)):
		start := p.pos
		for p.pos < len(p.src) && (p.src[p.pos] == '_' || unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos]))) {
			p.pos++
		}
		name := p.src[start:p.pos]
		if p.peek() != '(' {
			p.refs = append(p.refs, name)
			return &expr{op: 'v', name: name}
		}
		arity, ok := formulaFuncs[name]
		if !ok {
			p.fail("unknown function %q (min, max, abs, coalesce)", name)
		}
		p.pos++
		e := &expr{op: 'f', name: name}
		for {
			e.args = append(e.args, p.expr(depth+1))
			if p.peek() != ',' {
				break
			}
			p.pos++
		}
		if p.peek() != ')' {
			p.fail("missing ) after the arguments of %s", name)
		}
		p.pos++
		if (arity > 0 && len(e.args) != arity) || (arity < 0 && len(e.args) < -arity) {
			p.fail("%s takes %s argument(s)", name, arityText(arity))
		}
		return e
	case c == 0:
		p.fail("unexpected end")
	}
	p.fail("unexpected %q", string(c))
	return nil
}

func arityText(a int) string {
	if a < 0 {
		return fmt.Sprintf("at least %d", -a)
	}
	return fmt.Sprint(a)
}

// eval computes e over the row's values (nil is null).
func (e *expr) eval(vals map[string]*big.Rat) *big.Rat {
	switch e.op {
	case 'n':
		return e.num
	case 'v':
		return vals[e.name]
	case 'u':
		x := e.args[0].eval(vals)
		if x == nil {
			return nil
		}
		return new(big.Rat).Neg(x)
	case 'f':
		return e.call(vals)
	}
	a, b := e.args[0].eval(vals), e.args[1].eval(vals)
	if a == nil || b == nil {
		return nil
	}
	r := new(big.Rat)
	switch e.op {
	case '+':
		return r.Add(a, b)
	case '-':
		return r.Sub(a, b)
	case '*':
		return r.Mul(a, b)
	}
	if b.Sign() == 0 {
		return nil
	}
	return r.Quo(a, b)
}

func (e *expr) call(vals map[string]*big.Rat) *big.Rat {
	switch e.name {
	case "coalesce":
		for _, a := range e.args {
			if v := a.eval(vals); v != nil {
				return v
			}
		}
		return nil
	case "abs":
		x := e.args[0].eval(vals)
		if x == nil {
			return nil
		}
		return new(big.Rat).Abs(x)
	}
	var best *big.Rat
	for _, a := range e.args {
		v := a.eval(vals)
		if v == nil {
			return nil
		}
		if best == nil || (e.name == "min" && v.Cmp(best) < 0) || (e.name == "max" && v.Cmp(best) > 0) {
			best = v
		}
	}
	return best
}
