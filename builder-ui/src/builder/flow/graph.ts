import type { FilterJson } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';
import { patched } from '../patch';

/** The workflow format (engine/meta/schemas/flow.json; engine/workflow runs it). */
export type StateType = 'normal' | 'approval' | 'final';

export type Assignee =
  | { user: string }
  | { role: string }
  | { unit: { field?: string; id?: string; position: string; up?: number } }
  | { field: string }
  | { manager: { levels?: number } };

export interface Approval {
  mode?: 'any' | 'all' | 'sequential';
  assignees: Assignee[];
  approve?: string;
  reject?: string;
  returnTo?: string[];
  withdraw?: boolean;
  delegate?: boolean;
  addSigner?: boolean;
  empty?: 'fail' | 'approve';
}

export interface Sla {
  hours: number;
  calendar?: string;
  remindBefore?: number;
  onTimeout?: 'none' | 'escalate' | 'approve' | 'return';
  escalations?: number;
}

export interface Step {
  id?: string;
  type: string;
  title?: LocalizedText;
  config?: Record<string, unknown>;
}

export interface State {
  key: string;
  label?: LocalizedText;
  type?: StateType;
  approval?: Approval;
  sla?: Sla;
  onEnter?: Step[];
  onExit?: Step[];
}

export interface Transition {
  trigger: string;
  label?: LocalizedText;
  from: string | string[];
  to: string;
  guard?: { filter?: FilterJson; formula?: string };
  roles?: string[];
  comment?: 'none' | 'optional' | 'required';
}

export interface FlowSpec {
  title: LocalizedText;
  description?: LocalizedText;
  form: string;
  initial: string;
  states: State[];
  transitions: Transition[];
  /** Where the designer draws each state, by key; the runtime ignores it. */
  layout?: Layout;
}

/** A state's place on the designer's canvas. */
export interface Point {
  x: number;
  y: number;
}

export type Layout = Record<string, Point>;

/** The states a transition leaves from. */
export function fromList(t: Transition): string[] {
  return Array.isArray(t.from) ? t.from : [t.from];
}

export function approveTrigger(a: Approval | undefined): string {
  return a?.approve || 'approve';
}

export function rejectTrigger(a: Approval | undefined): string {
  return a?.reject || 'reject';
}

/** A mistake in the graph, at a state or a transition (by index). */
export interface FlowProblem {
  state?: string;
  transition?: number;
  /** builder.flow.problem.<code> */
  code: 'noStates' | 'unknownInitial' | 'initialApproval' | 'unreachable' | 'noExit' | 'missingApprove' | 'missingReject' | 'noAssignees' | 'leavesFinal' | 'unknownState' | 'ambiguous' | 'duplicateState' | 'badKey' | 'returnTarget';
  params?: Record<string, string>;
}

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function walk(start: string[], next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const n of next.get(s) ?? []) if (!seen.has(n)) queue.push(n);
  }
  return seen;
}

/**
 * What the server refuses on save, found on the graph before it is sent
 * (engine/meta checkFlow, engine/workflow checkStructure): states
 * unreachable from the initial one, states from which no final state can
 * be reached, approvals without assignees or without their approve and
 * reject transitions, transitions leaving a final state or naming unknown
 * states, triggers fired twice from a state without guards.
 */
export function validateFlow(spec: FlowSpec): FlowProblem[] {
  const out: FlowProblem[] = [];
  if (spec.states.length === 0) return [{ code: 'noStates' }];
  const byKey = new Map<string, State>();
  for (const s of spec.states) {
    if (!KEY.test(s.key)) out.push({ state: s.key, code: 'badKey', params: { key: s.key } });
    if (byKey.has(s.key)) out.push({ state: s.key, code: 'duplicateState', params: { key: s.key } });
    byKey.set(s.key, s);
  }
  const initial = byKey.get(spec.initial);
  if (!initial) out.push({ code: 'unknownInitial', params: { key: spec.initial } });
  else if (initial.type === 'approval') out.push({ state: initial.key, code: 'initialApproval' });

  const next = new Map<string, string[]>();
  const prev = new Map<string, string[]>();
  const leaves = new Map<string, Set<string>>();
  const unguarded = new Map<string, number>();
  spec.transitions.forEach((t, i) => {
    if (!byKey.has(t.to)) out.push({ transition: i, code: 'unknownState', params: { key: t.to } });
    for (const from of fromList(t)) {
      const s = byKey.get(from);
      if (!s) {
        out.push({ transition: i, code: 'unknownState', params: { key: from } });
        continue;
      }
      if (s.type === 'final') out.push({ transition: i, code: 'leavesFinal', params: { key: from } });
      next.set(from, [...(next.get(from) ?? []), t.to]);
      prev.set(t.to, [...(prev.get(t.to) ?? []), from]);
      leaves.set(from, (leaves.get(from) ?? new Set()).add(t.trigger));
      if (!t.guard || (!t.guard.filter && !t.guard.formula)) {
        const id = `${from}\u0000${t.trigger}`;
        if (unguarded.has(id)) out.push({ transition: i, code: 'ambiguous', params: { trigger: t.trigger, key: from } });
        else unguarded.set(id, i);
      }
    }
  });
  for (const s of spec.states) {
    if (s.type !== 'approval') continue;
    if (!s.approval || s.approval.assignees.length === 0) out.push({ state: s.key, code: 'noAssignees' });
    const left = leaves.get(s.key) ?? new Set();
    if (!left.has(approveTrigger(s.approval))) out.push({ state: s.key, code: 'missingApprove', params: { trigger: approveTrigger(s.approval) } });
    if (!left.has(rejectTrigger(s.approval))) out.push({ state: s.key, code: 'missingReject', params: { trigger: rejectTrigger(s.approval) } });
    for (const r of s.approval?.returnTo ?? []) {
      const target = byKey.get(r);
      if (!target || r === s.key || target.type === 'final') out.push({ state: s.key, code: 'returnTarget', params: { key: r } });
      else next.set(s.key, [...(next.get(s.key) ?? []), r]);
      if (target) prev.set(r, [...(prev.get(r) ?? []), s.key]);
    }
  }
  if (!initial) return out;
  const reach = walk([spec.initial], next);
  const finals = spec.states.filter((s) => s.type === 'final').map((s) => s.key);
  const exits = walk(finals, prev);
  for (const s of spec.states) {
    if (!reach.has(s.key)) out.push({ state: s.key, code: 'unreachable', params: { key: s.key } });
    else if (finals.length > 0 && !exits.has(s.key)) out.push({ state: s.key, code: 'noExit', params: { key: s.key } });
  }
  return out;
}

/** A state key not used yet: base1, base2... */
export function newStateKey(spec: FlowSpec, base = 'state'): string {
  const used = new Set(spec.states.map((s) => s.key));
  for (let n = 1; ; n++) if (!used.has(`${base}${n}`)) return `${base}${n}`;
}

/** Adds a state of a type; an approval starts with the submitter's manager as its approver. */
export function addState(spec: FlowSpec, type: StateType, label?: LocalizedText): { spec: FlowSpec; key: string } {
  const key = newStateKey(spec, type === 'approval' ? 'review' : type === 'final' ? 'done' : 'state');
  const s: State = { key };
  if (label) s.label = label;
  if (type !== 'normal') s.type = type;
  if (type === 'approval') s.approval = { mode: 'any', assignees: [{ manager: { levels: 1 } }] };
  return { spec: { ...spec, states: [...spec.states, s] }, key };
}

/**
 * The trigger a new transition from a state gets: for an approval state,
 * its approve trigger, then its reject trigger, as they are still missing;
 * otherwise "submit" from the initial state, else "to_<target>".
 */
export function suggestTrigger(spec: FlowSpec, from: string, to: string): string {
  const s = spec.states.find((x) => x.key === from);
  const used = new Set(spec.transitions.filter((t) => fromList(t).includes(from)).map((t) => t.trigger));
  if (s?.type === 'approval') {
    if (!used.has(approveTrigger(s.approval))) return approveTrigger(s.approval);
    if (!used.has(rejectTrigger(s.approval))) return rejectTrigger(s.approval);
  }
  const base = from === spec.initial && !used.has('submit') ? 'submit' : `to_${to}`;
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}${n}`)) return `${base}${n}`;
}

/** Adds a transition from one state to another (a loop on one state is allowed). */
export function addTransition(spec: FlowSpec, from: string, to: string): { spec: FlowSpec; index: number } {
  const t: Transition = { trigger: suggestTrigger(spec, from, to), from, to };
  return { spec: { ...spec, transitions: [...spec.transitions, t] }, index: spec.transitions.length };
}

export function removeTransition(spec: FlowSpec, index: number): FlowSpec {
  return { ...spec, transitions: spec.transitions.filter((_t, i) => i !== index) };
}

/** Removes a state with its transitions (a transition from several states only loses that one). */
export function removeState(spec: FlowSpec, key: string): FlowSpec {
  if (spec.states.length <= 1) return spec;
  const states = spec.states
    .filter((s) => s.key !== key)
    .map((s) => (s.approval?.returnTo?.includes(key) ? { ...s, approval: { ...s.approval, returnTo: s.approval.returnTo.filter((r) => r !== key) } } : s));
  const transitions: Transition[] = [];
  for (const t of spec.transitions) {
    if (t.to === key) continue;
    const from = fromList(t).filter((f) => f !== key);
    if (from.length === 0) continue;
    transitions.push({ ...t, from: Array.isArray(t.from) ? from : from[0]! });
  }
  const initial = spec.initial === key ? states[0]!.key : spec.initial;
  const next: FlowSpec = { ...spec, states, transitions, initial };
  if (spec.layout && key in spec.layout) {
    const { [key]: _gone, ...layout } = spec.layout;
    next.layout = layout;
  }
  return next;
}

/** Renames a state everywhere: transitions, the initial state, return targets. */
export function renameState(spec: FlowSpec, from: string, to: string): FlowSpec {
  if (from === to || spec.states.some((s) => s.key === to)) return spec;
  const r = (k: string) => (k === from ? to : k);
  return {
    ...spec,
    initial: r(spec.initial),
    states: spec.states.map((s) => {
      const next: State = { ...s, key: r(s.key) };
      if (s.approval?.returnTo) next.approval = { ...s.approval, returnTo: s.approval.returnTo.map(r) };
      return next;
    }),
    transitions: spec.transitions.map((t) => ({ ...t, from: Array.isArray(t.from) ? t.from.map(r) : r(t.from), to: r(t.to) })),
    ...(spec.layout ? { layout: Object.fromEntries(Object.entries(spec.layout).map(([k, p]) => [r(k), p])) } : {}),
  };
}

/**
 * Records where states were dropped on the canvas, rounded to whole
 * pixels (the definition keeps what the eye can see, not float noise);
 * positions of states that no longer exist are dropped.
 */
export function moveStates(spec: FlowSpec, moved: Layout): FlowSpec {
  const keys = new Set(spec.states.map((s) => s.key));
  const layout: Layout = {};
  for (const [k, p] of Object.entries({ ...spec.layout, ...moved })) if (keys.has(k)) layout[k] = { x: Math.round(p.x), y: Math.round(p.y) };
  return { ...spec, layout };
}

/** Changes a state; setting the type keeps the approval only on approval states. */
export function updateState(spec: FlowSpec, key: string, patch: Partial<State>): FlowSpec {
  return {
    ...spec,
    states: spec.states.map((s) => {
      if (s.key !== key) return s;
      const next: State = { ...patched(s, patch), key };
      if (next.type === 'normal') delete next.type;
      if (next.type !== 'approval') {
        delete next.approval;
        delete next.sla;
      } else if (!next.approval) next.approval = { mode: 'any', assignees: [{ manager: { levels: 1 } }] };
      return next;
    }),
  };
}

export function updateTransition(spec: FlowSpec, index: number, patch: Partial<Transition>): FlowSpec {
  return {
    ...spec,
    transitions: spec.transitions.map((t, i) => {
      return i === index ? patched(t, patch) : t;
    }),
  };
}

/** Positions for states the designer has not placed: columns by distance from the initial state. */
export function autoLayout(spec: FlowSpec): Record<string, { x: number; y: number }> {
  const next = new Map<string, string[]>();
  for (const t of spec.transitions) for (const f of fromList(t)) next.set(f, [...(next.get(f) ?? []), t.to]);
  const level = new Map<string, number>();
  const queue: string[] = [spec.initial];
  level.set(spec.initial, 0);
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (const n of next.get(s) ?? []) {
      if (!level.has(n)) {
        level.set(n, level.get(s)! + 1);
        queue.push(n);
      }
    }
  }
  const maxLevel = Math.max(0, ...level.values());
  const rows = new Map<number, number>();
  const out: Record<string, { x: number; y: number }> = {};
  for (const s of spec.states) {
    const l = level.get(s.key) ?? maxLevel + 1;
    const r = rows.get(l) ?? 0;
    rows.set(l, r + 1);
    out[s.key] = { x: 40 + l * 240, y: 40 + r * 130 };
  }
  return out;
}
