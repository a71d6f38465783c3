import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, HISTORY_LIMIT, initHistory, record, redo, seal, undo } from './history';

describe('undo and redo', () => {
  it('goes back and forth, and a new edit drops the redo branch', () => {
    let h = initHistory('a');
    expect(canUndo(h)).toBe(false);
    h = record(h, 'b');
    h = record(h, 'c');
    h = undo(h);
    expect(h.present).toBe('b');
    expect(canRedo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe('a');
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe('b');
    h = record(h, 'x');
    expect(canRedo(h)).toBe(false);
    expect(h.past).toEqual(['a', 'b']);
    expect(redo(h)).toBe(h);
  });

  it('merges the edits of one group into one step until sealed', () => {
    let h = initHistory('');
    for (const v of ['会', '会员', '会员投', '会员投诉']) h = record(h, v, 'label:x');
    expect(h.past).toEqual(['']);
    h = seal(h);
    h = record(h, '会员投诉单', 'label:x');
    expect(h.past).toEqual(['', '会员投诉']);
    h = record(h, 'other', 'label:y');
    expect(h.past).toEqual(['', '会员投诉', '会员投诉单']);
    expect(undo(undo(h)).present).toBe('会员投诉');
  });

  it('ignores an edit that changes nothing and keeps at most the limit', () => {
    let h = initHistory(0);
    expect(record(h, 0)).toBe(h);
    for (let i = 1; i <= HISTORY_LIMIT + 10; i++) h = record(h, i);
    expect(h.past.length).toBe(HISTORY_LIMIT);
    expect(h.past[0]).toBe(10);
  });
});
