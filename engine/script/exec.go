package script

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/tangram/tangram/engine/errs"
)

// maxMessage bounds error messages taken from thrown values.
const maxMessage = 500

// call runs fn under the watchdog and converts its result. The result is
// exported, and a thrown value described, before the deadline is disarmed:
// both may run JavaScript (getters, proxy traps, toString).
func (s *slot) call(ctx context.Context, fn goja.Callable, args []goja.Value, ticks int64, name string, limit time.Duration) (any, error) {
	wd := s.e.wd
	wd.arm(s, ticks, ctx.Done())
	res, err := fn(goja.Undefined(), args...)
	var out any
	if err == nil {
		if _, isObj := res.(*goja.Object); isObj {
			err = s.guarded(func() (err error) {
				out, err = s.export(res)
				return err
			})
		} else {
			out, err = s.export(res) // primitives never run JavaScript
		}
	}
	if err != nil {
		err = s.mapErr(ctx, err, name, limit)
	}
	wd.disarm(s)
	return out, err
}

// guarded runs f, which may call back into JavaScript, and returns a
// JavaScript exception or interrupt escaping from it as an error. r.Try
// restores the VM's stacks for catchable exceptions; uncatchable ones
// (interrupts, stack overflow) are re-panicked by goja after it restored
// them, and recovered here.
func (s *slot) guarded(f func() error) (err error) {
	defer func() {
		if x := recover(); x != nil {
			e, ok := x.(error)
			if !ok || !isGojaError(e) {
				panic(x)
			}
			err = e
		}
	}()
	var inner error
	if ex := s.rt.Try(func() { inner = f() }); ex != nil {
		return ex
	}
	return inner
}

func isGojaError(err error) bool {
	switch err.(type) {
	case *goja.Exception, *goja.InterruptedError, *goja.StackOverflowError:
		return true
	}
	return false
}

// mapErr turns what goja returned into this package's coded errors, with
// positions in the caller's source. Errors raised by host functions come
// back as they were raised.
func (s *slot) mapErr(ctx context.Context, err error, name string, limit time.Duration) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		pos := stackPos(ie.Stack(), name, 1)
		switch ie.Value() {
		case reasonTimeout:
			return scriptErr(errs.Unprocessable, CodeTimeout, fmt.Sprintf("%s exceeded its time limit of %v", name, limit), pos)
		case reasonCanceled:
			return canceledErr(ctx, pos)
		case reasonMemory:
			return scriptErr(errs.Unprocessable, CodeLimit,
				fmt.Sprintf("%s interrupted: process heap above the sandbox limit of %d bytes", name, s.e.opts.MaxHeapBytes), pos)
		}
		return scriptErr(errs.Unprocessable, CodeError, name+" interrupted", pos)
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return scriptErr(errs.Unprocessable, CodeLimit,
			fmt.Sprintf("RangeError: maximum call stack size (%d) exceeded", s.e.opts.MaxCallStackSize), stackPos(so.Stack(), name, 1))
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok {
			if orig, ok := s.hostErrs[obj]; ok {
				return orig
			}
		}
		pos := stackPos(ex.Stack(), name, 1)
		if coded := s.thrownError(ctx, ex.Value(), pos); coded != nil {
			return coded
		}
		msg := "uncaught exception"
		if gerr := s.guarded(func() error { msg = describe(ex.Value()); return nil }); gerr != nil {
			msg = "uncaught exception (its message could not be read)"
		}
		return scriptErr(errs.Unprocessable, CodeError, msg, pos)
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.Wrap(err, errs.Internal, CodeError, "%s failed", name)
}

// describe renders a thrown value: errors as "TypeError: message", other
// values as "Uncaught " and their JSON or text.
func describe(v goja.Value) string {
	msg := ""
	if obj, ok := v.(*goja.Object); ok && obj.ClassName() != "Error" {
		if m := obj.Get("message"); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
			msg = "Uncaught " + m.String()
		} else {
			x := exporter{budget: 4 * maxMessage, maxBytes: 4 * maxMessage, maxDepth: 8}
			if out, _, err := x.value(v, 0); err == nil {
				b, _ := json.Marshal(out)
				msg = "Uncaught " + string(b)
			}
		}
	}
	if msg == "" {
		if obj, ok := v.(*goja.Object); ok && obj.ClassName() == "Error" {
			msg = v.String()
		} else {
			msg = "Uncaught " + v.String()
		}
	}
	return truncate(msg, maxMessage)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// recoverSlot drops the runtime when a Go panic escapes from it (its VM
// state is unknown) and lets the panic go on.
func (e *Engine) recoverSlot(s *slot) {
	if x := recover(); x != nil {
		s.deadline.Store(0)
		e.discard(s)
		panic(x)
	}
}
