package script

import (
	"fmt"
	"math"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// The sandbox. goja itself offers no require, no file, network or process
// access; what this file adds:
//   - the parser never loads source maps (goja's default loader would read a
//     file named by a `//# sourceMappingURL=` comment, also from code handed
//     to the Function constructor);
//   - eval is removed: an indirect eval of `let x` would create a binding in
//     the runtime's global lexical scope, which no later run could see
//     cleared; typed arrays, ArrayBuffer, SharedArrayBuffer, DataView and
//     Atomics are removed because `new Uint8Array(1e10)` allocates at once
//     in a single uninterruptible call; WeakRef and FinalizationRegistry are
//     removed because they expose garbage-collector timing;
//   - guards in front of the built-ins that amplify memory or loop natively
//     (goja checks its interrupt flag only between instructions, never
//     inside a built-in): String repeat/padStart/padEnd/concat/replace/
//     replaceAll, every Array.prototype method including the iterators that
//     spread and for-of use, Array.from, Function.prototype.apply,
//     Reflect.apply and Reflect.construct;
//   - every intrinsic reachable from the global object, plus the hidden ones
//     (iterator and generator prototypes), is frozen, and so is the global
//     object itself: a run cannot leave anything behind for the next run on
//     the same runtime. Scripts get a fresh global object per run whose
//     prototype is the frozen one (see run.go).
//
// Regular expressions that need backtracking are bounded by RegexpTimeout.
//
// What cannot be bounded without changes to goja, and is therefore only
// covered by the process heap guard (Options.MaxHeapBytes) and the deadline:
// a single built-in that turns existing data into a much larger result in
// one call that the guards above do not cover, e.g. JSON.stringify of an
// array holding the same long string millions of times, or a template
// literal with many copies of a long string. Growth spread over many
// instructions (s += s in a loop) is stopped by the heap guard between
// instructions; the deadline stops everything else that runs JavaScript.

// RegexpTimeout bounds one match of a regular expression that needs
// backtracking. goja runs patterns on Go's linear-time regexp when it can
// and hands the rest (back-references, look-around) to regexp2, where
// catastrophic backtracking takes exponential time inside one native call
// that the deadline cannot interrupt. regexp2 copies its default timeout
// into each pattern goja compiles; goja treats a timed-out match as no
// match. The setting is process-wide, and regexp2 has no other user here.
const RegexpTimeout = 100 * time.Millisecond

func init() {
	if regexp2.DefaultMatchTimeout == time.Duration(math.MaxInt64) {
		regexp2.DefaultMatchTimeout = RegexpTimeout
	}
}

// removedGlobals are deleted from every runtime before lockdown.
var removedGlobals = []string{
	"eval", "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
	"BigInt64Array", "BigUint64Array", "WeakRef", "FinalizationRegistry", "GoError",
}

// sandboxName names the lockdown program, so stack frames inside guards are
// told apart from the caller's code when positions are reported.
const sandboxName = "sandbox"

var lockdownProgram = goja.MustCompile(sandboxName, lockdownSource, true)

// setupRuntime makes and locks down the runtime of s.
func setupRuntime(s *slot) error {
	e := s.e
	r := goja.New()
	s.rt = r
	r.SetParserOptions(parser.WithDisableSourceMaps)
	r.SetMaxCallStackSize(e.opts.MaxCallStackSize)
	r.SetTimeSource(e.opts.Clock)

	g := r.GlobalObject()
	for _, name := range removedGlobals {
		if err := g.Delete(name); err != nil {
			return fmt.Errorf("script: remove %s: %w", name, err)
		}
	}
	installStdlib(s)
	installLog(s)

	lockdown, err := r.RunProgram(lockdownProgram)
	if err != nil {
		return fmt.Errorf("script: lockdown: %w", err)
	}
	fn, ok := goja.AssertFunction(lockdown)
	if !ok {
		return fmt.Errorf("script: lockdown is not a function")
	}
	lim := r.NewObject()
	for k, v := range map[string]int{
		"maxString": e.opts.MaxStringLength,
		"maxArray":  e.opts.MaxArrayLength,
		"maxArgs":   e.opts.MaxArguments,
	} {
		if err := lim.Set(k, v); err != nil {
			return err
		}
	}
	if _, err := fn(goja.Undefined(), lim); err != nil {
		return fmt.Errorf("script: lockdown: %w", err)
	}
	s.base = g
	s.errorCtor = g.Get("Error").ToObject(r)
	return nil
}

// setGlobal defines a built-in global (stdlib, log) before lockdown freezes
// it. Values are native functions or plain objects made here, never
// reflected Go values.
func setGlobal(r *goja.Runtime, name string, fn func(goja.FunctionCall) goja.Value) {
	if err := r.GlobalObject().Set(name, nativeFunc(r, name, fn)); err != nil {
		panic(fmt.Sprintf("script: define %s: %v", name, err))
	}
}

// nativeFunc wraps fn as a JavaScript function called name. goja would name
// it after the Go symbol, which is nothing a script needs to see.
func nativeFunc(r *goja.Runtime, name string, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	obj := r.ToValue(fn).(*goja.Object)
	if err := obj.DefineDataProperty("name", r.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(fmt.Sprintf("script: name %s: %v", name, err))
	}
	return obj
}

// throwf throws a JavaScript TypeError from a native function.
func throwf(r *goja.Runtime, format string, args ...any) {
	panic(r.NewTypeError("%s", fmt.Sprintf(format, args...)))
}

// rangef throws a JavaScript RangeError from a native function.
func rangef(r *goja.Runtime, format string, args ...any) {
	ctor := r.Get("RangeError").ToObject(r)
	obj, err := r.New(ctor, r.ToValue(fmt.Sprintf(format, args...)))
	if err != nil {
		panic(err)
	}
	panic(obj)
}

// lockdownSource installs the guards and freezes the intrinsics. It is
// JavaScript because the guards must call back into the original built-ins
// with the caller's `this` and stay interruptible while they walk data.
const lockdownSource = `(function (lim) {
"use strict";
const apply = Reflect.apply, getDesc = Object.getOwnPropertyDescriptor,
	defProp = Object.defineProperty, ownKeys = Reflect.ownKeys,
	getProto = Object.getPrototypeOf, freeze = Object.freeze, isArray = Array.isArray,
	Obj = Object, Str = String, Num = Number, RangeErr = RangeError, iterSym = Symbol.iterator;
const maxStr = lim.maxString, maxArr = lim.maxArray, maxArgs = lim.maxArgs;

function tooBig(what, n, max) {
	throw new RangeErr(what + " (" + n + ") exceeds the sandbox limit of " + max);
}
function num(v) { const n = Num(v); return n === n ? n : 0; }
function lengthOf(o) { return o == null ? 0 : num(Obj(o).length); }
function wrap(obj, key, check) {
	const d = getDesc(obj, key), orig = d.value;
	const w = { [key](...args) { return check(orig, this, args); } }[key];
	defProp(obj, key, { value: w, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable });
}
function dollars(r) {
	let n = 0;
	for (let i = 0; i < r.length; i++) if (r.charCodeAt(i) === 36) n++;
	return n;
}

const SP = String.prototype;
wrap(SP, "repeat", (orig, self, args) => {
	if (self != null) {
		const n = num(args[0]) * Str(self).length;
		if (n > maxStr) tooBig("string length", n, maxStr);
	}
	return apply(orig, self, args);
});
for (const k of ["padStart", "padEnd"]) wrap(SP, k, (orig, self, args) => {
	const n = num(args[0]);
	if (n > maxStr) tooBig("string length", n, maxStr);
	return apply(orig, self, args);
});
wrap(SP, "concat", (orig, self, args) => {
	if (self == null) return apply(orig, self, args);
	let total = Str(self).length;
	const parts = [];
	for (let i = 0; i < args.length; i++) {
		parts[i] = Str(args[i]);
		total += parts[i].length;
		if (total > maxStr) tooBig("string length", total, maxStr);
	}
	return apply(orig, self, parts);
});
// replace and replaceAll: a replacement function is wrapped to count what it
// returns; a replacement string is bounded by the number of matches times
// its worst-case expansion (each $ pattern inserts at most the whole input).
function replaceGuard(all) {
	return (orig, self, args) => {
		if (self == null) return apply(orig, self, args);
		const s = Str(self), pat = args[0], rep = args[1];
		if (typeof rep === "function") {
			let total = s.length;
			const counted = function (...a) {
				const out = Str(apply(rep, this, a));
				total += out.length;
				if (total > maxStr) tooBig("string length", total, maxStr);
				return out;
			};
			return apply(orig, s, [pat, counted]);
		}
		const r = Str(rep);
		const per = r.length + dollars(r) * s.length;
		const global = all || (pat != null && typeof pat === "object" && pat.global === true);
		let bound = s.length + (global ? s.length + 1 : 1) * per;
		if (bound > maxStr && global) {
			let n = 0;
			if (typeof pat === "object" && pat !== null) {
				const m = apply(SP.match, s, [pat]);
				n = m === null ? 0 : m.length;
			} else {
				const p = Str(pat);
				if (p.length === 0) n = s.length + 1;
				else for (let i = s.indexOf(p); i >= 0; i = s.indexOf(p, i + p.length)) n++;
			}
			bound = s.length + n * per;
		}
		if (bound > maxStr) tooBig("string length", bound, maxStr);
		return apply(orig, s, [pat, r]);
	};
}
wrap(SP, "replace", replaceGuard(false));
wrap(SP, "replaceAll", replaceGuard(true));

const AP = Array.prototype;
const joining = new Set();
wrap(AP, "join", (orig, self, args) => {
	if (self == null) return apply(orig, self, args);
	const o = Obj(self), len = lengthOf(o);
	if (len > maxArr) tooBig("array length", len, maxArr);
	if (joining.has(o)) return "";
	const sep = args[0] === undefined ? "," : Str(args[0]);
	let total = len > 0 ? (len - 1) * sep.length : 0;
	if (total > maxStr) tooBig("string length", total, maxStr);
	const parts = [];
	joining.add(o);
	try {
		for (let i = 0; i < len; i++) {
			const v = o[i];
			parts[i] = v == null ? "" : Str(v);
			total += parts[i].length;
			if (total > maxStr) tooBig("string length", total, maxStr);
		}
	} finally {
		joining.delete(o);
	}
	return apply(orig, parts, [sep]);
});
wrap(AP, "concat", (orig, self, args) => {
	let total = lengthOf(self);
	for (let i = 0; i < args.length; i++) total += isArray(args[i]) ? lengthOf(args[i]) : 1;
	if (total > maxArr) tooBig("array length", total, maxArr);
	return apply(orig, self, args);
});
for (const k of ownKeys(AP)) {
	if (k === "constructor" || k === "join" || k === "concat") continue;
	const d = getDesc(AP, k);
	if (typeof d.value !== "function") continue;
	wrap(AP, k, (orig, self, args) => {
		const len = lengthOf(self);
		if (len > maxArr) tooBig("array length", len, maxArr);
		return apply(orig, self, args);
	});
}
wrap(Array, "from", (orig, self, args) => {
	const items = args[0];
	if (items != null && typeof items[iterSym] !== "function") {
		const len = lengthOf(items);
		if (len > maxArr) tooBig("array length", len, maxArr);
	}
	return apply(orig, self, args);
});
function argsGuard(index) {
	return (orig, self, args) => {
		const len = lengthOf(args[index]);
		if (len > maxArgs) tooBig("argument count", len, maxArgs);
		return apply(orig, self, args);
	};
}
wrap(Function.prototype, "apply", argsGuard(1));
wrap(Reflect, "apply", argsGuard(2));
wrap(Reflect, "construct", argsGuard(1));

// Freeze everything reachable from the global object and the intrinsics
// that are only reachable through instances.
const roots = [globalThis];
function addProto(make) {
	roots.push(getProto(make()));
}
addProto(() => function* () {});
addProto(() => (function* () {})());
addProto(() => async function () {});
addProto(() => [][iterSym]());
addProto(() => getProto([][iterSym]()));
addProto(() => new Map().entries());
addProto(() => new Set().values());
addProto(() => ""[iterSym]());
addProto(() => /a/[Symbol.matchAll](""));
// The walk indexes arrays directly: push, pop and for-of would go through
// the guards installed above, which triples the cost of building a runtime.
const seen = new Set(), stack = [];
let top = 0;
for (let i = 0; i < roots.length; i++) stack[top++] = roots[i];
while (top > 0) {
	const o = stack[--top];
	if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue;
	seen.add(o);
	const keys = ownKeys(o);
	for (let i = 0; i < keys.length; i++) {
		const d = getDesc(o, keys[i]);
		if (d === undefined) continue;
		if ("value" in d) stack[top++] = d.value; else { stack[top++] = d.get; stack[top++] = d.set; }
	}
	stack[top++] = getProto(o);
	freeze(o);
}
})`
