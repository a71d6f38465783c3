/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIELD_TYPE_KEYS, fieldTypeUI, hasFieldTypeUI } from './registry';

const here = dirname(fileURLToPath(import.meta.url));
const engineForm = resolve(here, '../../../../engine/form');

/** The keys the server registers: newSpec("key", ...) in engine/form/fieldtype_*.go. */
function serverKeys(): string[] {
  const keys: string[] = [];
  for (const f of readdirSync(engineForm)) {
    if (!/^fieldtype_.*\.go$/.test(f) || f.endsWith('_test.go')) continue;
    for (const m of readFileSync(join(engineForm, f), 'utf8').matchAll(/newSpec\("([a-z][a-z0-9_.]*)"/g)) keys.push(m[1]!);
  }
  return keys.sort();
}

describe('the field type registry', () => {
  it('has a UI half for every field type of the server, and no other', () => {
    const server = serverKeys();
    expect(server.length).toBeGreaterThanOrEqual(27);
    expect([...FIELD_TYPE_KEYS].sort()).toEqual(server);
  });

  it('keeps one file per type, named by its key', () => {
    const files = readdirSync(here)
      .filter((f) => f.endsWith('.tsx') && !['registry.tsx', 'shared.tsx'].includes(f))
      .map((f) => f.replace(/\.tsx$/, ''))
      .sort();
    expect(files).toEqual([...FIELD_TYPE_KEYS].sort());
  });

  it('gives every type a display, and an input unless the engine computes it', () => {
    for (const key of FIELD_TYPE_KEYS) {
      const ui = fieldTypeUI(key);
      expect(ui.key).toBe(key);
      expect(ui.Display, key).toBeTypeOf('function');
      expect(!!ui.Input || ui.computed === true, key).toBe(true);
    }
  });

  it('shows a type without renderer raw and read-only', () => {
    expect(hasFieldTypeUI('plugin.stars')).toBe(false);
    const ui = fieldTypeUI('plugin.stars');
    expect(ui.Input).toBeUndefined();
    expect(ui.stored({ key: 'x', type: 'plugin.stars', label: 'x' }).ops).toEqual([]);
  });
});
