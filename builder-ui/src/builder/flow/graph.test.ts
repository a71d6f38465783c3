import { describe, expect, it } from 'vitest';
import { repoFile } from '../testing/goSource';
import { addState, addTransition, autoLayout, moveStates, removeState, removeTransition, renameState, suggestTrigger, updateState, updateTransition, validateFlow, type FlowSpec } from './graph';

const example = JSON.parse(repoFile('engine/meta/testdata/valid/flow.json')) as FlowSpec;
const codes = (s: FlowSpec) => validateFlow(s).map((p) => [p.state ?? p.transition, p.code]);

const start: FlowSpec = { title: '投诉处理', form: 'complaints', initial: 'draft', states: [{ key: 'draft' }], transitions: [] };

describe('flow validation', () => {
  it('finds nothing wrong in the example flow, and in a drawn two-state flow', () => {
    expect(validateFlow(example)).toEqual([]);
    const a = addState(start, 'final');
    const b = addTransition(a.spec, 'draft', a.key);
    expect(b.spec.transitions).toEqual([{ trigger: 'submit', from: 'draft', to: 'done1' }]);
    expect(validateFlow(b.spec)).toEqual([]);
  });

  it('shows unreachable states and states without an exit', () => {
    const a = addState(start, 'final').spec;
    const b = addState(a, 'normal').spec;
    expect(codes(b)).toEqual([
      ['draft', 'noExit'],
      ['done1', 'unreachable'],
      ['state1', 'unreachable'],
    ]);
    // A cycle without a way out: draft <-> state1, done1 never reached.
    const c = addTransition(addTransition(b, 'draft', 'state1').spec, 'state1', 'draft').spec;
    expect(codes(c)).toEqual([
      ['draft', 'noExit'],
      ['done1', 'unreachable'],
      ['state1', 'noExit'],
    ]);
  });

  it('requires approvals to have approvers and both their approve and reject transitions', () => {
    const r = addState(start, 'approval');
    const f = addState(r.spec, 'final');
    let s = addTransition(f.spec, 'draft', r.key).spec;
    s = addTransition(s, r.key, f.key).spec;
    expect(s.transitions[1]!.trigger).toBe('approve');
    expect(codes(s)).toEqual([[r.key, 'missingReject']]);
    expect(suggestTrigger(s, r.key, 'draft')).toBe('reject');
    s = addTransition(s, r.key, 'draft').spec;
    expect(validateFlow(s)).toEqual([]);
    s = updateState(s, r.key, { approval: { assignees: [] } });
    expect(codes(s)).toEqual([[r.key, 'noAssignees']]);
    // Returning to a final state is refused.
    s = updateState(s, r.key, { approval: { assignees: [{ role: 'manager' }], returnTo: [f.key] } });
    expect(codes(s)).toEqual([[r.key, 'returnTarget']]);
  });

  it('refuses transitions leaving final states, unknown states, ambiguous triggers and an approval as the initial state', () => {
    const f = addState(start, 'final');
    let s = addTransition(f.spec, 'draft', f.key).spec;
    s = addTransition(s, f.key, 'draft').spec;
    s = { ...s, transitions: [...s.transitions, { trigger: 'submit', from: 'draft', to: 'nowhere' }] };
    expect(codes(s)).toEqual([
      [1, 'leavesFinal'],
      [2, 'unknownState'],
      [2, 'ambiguous'],
    ]);
    // A guard settles the ambiguity.
    s = updateTransition(s, 2, { to: f.key, guard: { filter: { amount: { $gt: 100 } } } });
    expect(codes(removeTransition(s, 1))).toEqual([]);
    expect(codes({ ...s, initial: 'x' })[0]).toEqual([undefined, 'unknownInitial']);
    expect(codes(updateState(start, 'draft', { type: 'approval' }))).toContainEqual(['draft', 'initialApproval']);
    expect(codes({ ...start, states: [] })).toEqual([[undefined, 'noStates']]);
  });
});

describe('flow editing', () => {
  it('renames a state everywhere and removes one with its transitions', () => {
    let s = JSON.parse(JSON.stringify(example)) as FlowSpec;
    s = renameState(s, 'review', 'check');
    expect(s.transitions.map((t) => [t.from, t.to])).toEqual([
      ['draft', 'check'],
      ['check', 'approved'],
      ['check', 'approved'],
      [['check'], 'rejected'],
      ['check', 'draft'],
    ]);
    expect(renameState(s, 'check', 'draft')).toBe(s);
    const r = removeState(s, 'draft');
    expect(r.initial).toBe('check');
    expect(r.transitions.map((t) => t.trigger)).toEqual(['approve', 'approve', 'reject']);
    expect(r.states.find((x) => x.key === 'check')!.approval!.returnTo).toEqual([]);
    expect(removeState(start, 'draft')).toBe(start);
  });

  it('keeps approvals on approval states only', () => {
    const s = updateState(start, 'draft', { type: 'approval' });
    expect(s.states[0]!.approval).toEqual({ mode: 'any', assignees: [{ manager: { levels: 1 } }] });
    const back = updateState(s, 'draft', { type: 'normal' });
    expect(back.states[0]).toEqual({ key: 'draft' });
  });

  it('lays states out in columns by their distance from the initial state', () => {
    const pos = autoLayout(example);
    expect(pos.draft).toEqual({ x: 40, y: 40 });
    expect(pos.review).toEqual({ x: 280, y: 40 });
    expect(pos.approved!.x).toBe(520);
    expect(pos.rejected).toEqual({ x: 520, y: 170 });
  });

  it('keeps dropped positions in the definition, rounded, following renames and removals', () => {
    const two = addState(start, 'final').spec;
    const moved = moveStates(two, { draft: { x: 10.4, y: -20.6 }, ghost: { x: 1, y: 1 } });
    expect(moved.layout).toEqual({ draft: { x: 10, y: -21 } });
    const both = moveStates(moved, { done1: { x: 300, y: 80 } });
    expect(both.layout).toEqual({ draft: { x: 10, y: -21 }, done1: { x: 300, y: 80 } });
    expect(moved.layout).toEqual({ draft: { x: 10, y: -21 } });
    const renamed = renameState(both, 'draft', 'start');
    expect(renamed.layout).toEqual({ start: { x: 10, y: -21 }, done1: { x: 300, y: 80 } });
    expect(removeState(renamed, 'done1').layout).toEqual({ start: { x: 10, y: -21 } });
    // A flow never drawn stays without a layout.
    expect(renameState(two, 'draft', 'start').layout).toBeUndefined();
    expect(removeState(two, 'done1').layout).toBeUndefined();
  });
});
