import type { FilterJson } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';
import type { ExtSpec } from './api';

/** One action of an automation (engine/meta common.json step). */
export interface Step {
  id?: string;
  type: string;
  title?: LocalizedText;
  config?: Record<string, unknown>;
}

/** The automation format (engine/meta/schemas/automation.json). */
export interface AutomationSpec {
  title: LocalizedText;
  description?: LocalizedText;
  enabled?: boolean;
  trigger: { type: string; config?: Record<string, unknown> };
  condition?: FilterJson;
  actions: Step[];
  retry?: { maxAttempts?: number; backoffSeconds?: number };
}

/** Config keys holding nested steps: a branch's then and else, a split variant's actions. */
export const NESTED_STEP_KEYS = new Set(['then', 'else', 'actions']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The steps nested in a step's config (branches, split variants), recursively. */
export function childSteps(s: Step): Step[] {
  const out: Step[] = [];
  const walk = (v: unknown, key: string | undefined) => {
    if (Array.isArray(v)) {
      for (const x of v) {
        if (key !== undefined && NESTED_STEP_KEYS.has(key) && isObject(x) && typeof x.type === 'string') {
          out.push(x as unknown as Step, ...childSteps(x as unknown as Step));
        } else walk(x, undefined);
      }
    } else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(s.config, undefined);
  return out;
}

/** Every step of a list and their nested ones. */
export function allSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) => [s, ...childSteps(s)]);
}

/** An id not used by any step (results and retries are recorded by id). */
export function uniqueStepId(steps: readonly Step[], type: string): string {
  const used = new Set(allSteps(steps).map((s) => s.id));
  const base = (type.split('.').pop() ?? 'step').replace(/[^A-Za-z0-9_]/g, '_');
  for (let n = 1; ; n++) if (!used.has(`${base}${n}`)) return `${base}${n}`;
}

/** A new step of a type, configured like the type's first example so it starts out valid. */
export function newStep(all: readonly Step[], spec: ExtSpec): Step {
  const example = spec.examples?.[0];
  const s: Step = { id: uniqueStepId(all, spec.key), type: spec.key };
  if (isObject(example)) s.config = structuredClone(example);
  return s;
}

/** Ids used by more than one step, anywhere in the tree. */
export function duplicateIds(steps: readonly Step[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const s of allSteps(steps)) {
    if (!s.id) continue;
    if (seen.has(s.id)) dup.add(s.id);
    seen.add(s.id);
  }
  return [...dup];
}

/** Step types no registered action has. */
export function unknownTypes(steps: readonly Step[], actions: readonly ExtSpec[]): string[] {
  const known = new Set(actions.map((a) => a.key));
  return [...new Set(allSteps(steps).map((s) => s.type).filter((t) => !known.has(t)))];
}

export function moveStep(steps: readonly Step[], from: number, to: number): Step[] {
  const out = [...steps];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length) return out;
  const [s] = out.splice(from, 1);
  out.splice(to, 0, s!);
  return out;
}
