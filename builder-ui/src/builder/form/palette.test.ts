import { describe, expect, it } from 'vitest';
import { FIELD_TYPE_KEYS } from '../../extensions/fieldTypes/registry';
import { goFiles } from '../testing/goSource';
import { PALETTE, PALETTE_GROUPS, paletteGroups, paletteItem } from './palette';
import { SPECIAL_SETTINGS, TYPE_SETTINGS } from './settings';

/** newSpec(key, zh, en, uiHint, group, ...) of every built-in field type (engine/form). */
function serverTypes(): { type: string; zh: string; en: string; group: string; file: string; text: string }[] {
  const out = [];
  for (const { file, text } of goFiles('engine/form', /^fieldtype_.*\.go$/)) {
    for (const m of text.matchAll(/newSpec\("([^"]+)", "([^"]+)", "([^"]+)", "[^"]+", "([^"]+)"/g)) {
      out.push({ type: m[1]!, zh: m[2]!, en: m[3]!, group: m[4]!, file, text });
    }
  }
  return out;
}

/** The settings a type's schema declares: "name": { in its file, plus the shared fragments it splices in. */
function serverSettings(text: string, shared: Map<string, string>): Set<string> {
  let all = text;
  for (const [name, body] of shared) if (text.includes(`+${name}+`) || text.includes(`${name},`)) all += body;
  return new Set([...all.matchAll(/"([A-Za-z]+)": \{/g)].map((m) => m[1]!));
}

describe('the palette', () => {
  const server = serverTypes();

  it('holds every field type the server registers, with its titles and group', () => {
    expect(server.length).toBeGreaterThanOrEqual(27);
    const mine = [...PALETTE].map((p) => ({ type: p.type, zh: p.title['zh-CN'], en: p.title.en, group: p.group })).sort((a, b) => a.type.localeCompare(b.type));
    const theirs = server.map(({ type, zh, en, group }) => ({ type, zh, en, group })).sort((a, b) => a.type.localeCompare(b.type));
    expect(mine).toEqual(theirs);
  });

  it('only uses known groups, shows every type once, and agrees with the renderer registry', () => {
    for (const p of PALETTE) expect(PALETTE_GROUPS).toContain(p.group);
    const shown = paletteGroups().flatMap((g) => g.items.map((i) => i.type));
    expect(shown.sort()).toEqual([...FIELD_TYPE_KEYS].sort());
  });

  it('names an unknown (plugin) type by its key', () => {
    expect(paletteItem('plugin.stars')).toEqual({ type: 'plugin.stars', group: 'advanced', title: { 'zh-CN': 'plugin.stars', en: 'plugin.stars' } });
  });

  it('offers only settings the server accepts for each type, and a settings entry for every type', () => {
    const shared = new Map<string, string>();
    for (const { text } of goFiles('engine/form', /^fieldtype_.*\.go$/)) {
      for (const m of text.matchAll(/const (\w+Config) = `([\s\S]*?)`/g)) shared.set(m[1]!, m[2]!);
    }
    expect([...shared.keys()].sort()).toEqual(['fileConfig', 'optionsConfig', 'refConfig']);
    for (const s of server) {
      const accepted = serverSettings(s.text, shared);
      const offered = [...(TYPE_SETTINGS[s.type] ?? []).map((x) => x.name), ...(SPECIAL_SETTINGS[s.type] ?? [])];
      expect(TYPE_SETTINGS[s.type], s.type).toBeDefined();
      for (const name of offered) expect(accepted.has(name), `${s.type}.${name}`).toBe(true);
    }
  });
});
