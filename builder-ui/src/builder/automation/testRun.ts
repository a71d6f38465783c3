import { api } from '../../api/client';
import type { AutomationRun, StepResult } from './api';

/** Why a test step did not run (engine/automation dryrun.go). */
export type SkipReason = 'condition' | 'not_chosen' | 'after_error' | 'outside';

/** One step of a test run. */
export interface TestStep {
  step: string;
  kind: string;
  /** Where the step sits in the spec ("actions[1].config.then[0]"). */
  path: string;
  result?: unknown;
  error?: { code?: string; message?: string };
  skipped?: boolean;
  reason?: SkipReason;
}

/** POST /api/apps/:app/automations/:automation/test. */
export interface TestResult {
  automation: string;
  version: number;
  trigger: string;
  form?: string;
  record?: Record<string, unknown>;
  /** The automation's condition holds for the record. */
  matched: boolean;
  steps: TestStep[];
  failed?: string;
}

/** Which version a test runs. */
export type TestVersion = 'draft' | 'published';

const seg = encodeURIComponent;

/** Test-runs an automation on a record: every step computed, nothing kept or sent. */
export function testAutomation(app: string, automation: string, recordId: string | undefined, version: TestVersion): Promise<TestResult> {
  const body: Record<string, unknown> = { version };
  if (recordId) body.recordId = recordId;
  return api.post<TestResult>(`/api/apps/${seg(app)}/automations/${seg(automation)}/test`, body);
}

/** How a step ended, for its tag. */
export type Outcome = 'ok' | 'error' | SkipReason;

export function outcome(s: TestStep): Outcome {
  if (s.error) return 'error';
  if (s.skipped) return s.reason ?? 'not_chosen';
  return 'ok';
}

/** A line describing what a step did or would do, as a message key and its values. */
export interface Note {
  key: 'wait' | 'call' | 'fire' | 'message' | 'variant' | 'branch' | 'noRecipient';
  params: Record<string, string>;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/**
 * What a step's result says in words: a wait's end, the call or transition
 * that would be made, each rendered message, the branch or variant taken.
 * Anything else is shown as the result's JSON.
 */
export function notes(s: TestStep): Note[] {
  const r = obj(s.result);
  if (!r) return [];
  const out: Note[] = [];
  if (r.wouldWaitUntil) out.push({ key: 'wait', params: { until: str(r.wouldWaitUntil), seconds: str(r.waitSeconds ?? 0) } });
  const call = obj(r.wouldCall);
  if (call) out.push({ key: 'call', params: { method: str(call.method) || 'POST', url: str(call.url) } });
  const fire = obj(r.wouldFire);
  if (fire) out.push({ key: 'fire', params: { trigger: str(fire.trigger), record: str(fire.record) } });
  if (Array.isArray(r.messages)) {
    for (const m of r.messages) {
      const mm = obj(m) ?? {};
      out.push({ key: 'message', params: { channel: str(mm.channel ?? r.channel), to: str(mm.to), text: [str(mm.subject), str(mm.text)].filter(Boolean).join(' — ') } });
    }
    if (r.messages.length === 0 && r.skipped) out.push({ key: 'noRecipient', params: {} });
  }
  if (typeof r.variant === 'string') out.push({ key: 'variant', params: { variant: r.variant } });
  if (typeof r.branch === 'string') out.push({ key: 'branch', params: { branch: r.branch } });
  return out;
}

/** A wait as days, hours and minutes, leaving out the zero ones (at least minutes). */
export function durationParts(seconds: number): { unit: 'd' | 'h' | 'm'; n: number }[] {
  const mins = Math.round(Math.max(0, seconds) / 60);
  const parts: { unit: 'd' | 'h' | 'm'; n: number }[] = [];
  const d = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  if (d) parts.push({ unit: 'd', n: d });
  if (h) parts.push({ unit: 'h', n: h });
  if (m || parts.length === 0) parts.push({ unit: 'm', n: m });
  return parts;
}

/** How deep a step is nested (0 for a top-level action; 1 inside a branch or variant). */
export function depth(path: string): number {
  return Math.max(0, (path.match(/\[\d+\]/g) ?? []).length - 1 - (path.match(/variants\[\d+\]/g) ?? []).length);
}

/** Counts of a test's steps: ran, skipped, failed. */
export function tally(r: TestResult): { ran: number; skipped: number; failed: number } {
  let ran = 0;
  let skipped = 0;
  let failed = 0;
  for (const s of r.steps) {
    if (s.error) failed++;
    else if (s.skipped) skipped++;
    else ran++;
  }
  return { ran, skipped, failed };
}

/**
 * A test run in the run log's shape, so the design tab shows each step's
 * result on the step as it shows a real run's (steps that did not run are
 * left out); label names it in the "showing" line.
 */
export function asRun(r: TestResult, label: string): AutomationRun {
  const steps: Record<string, StepResult> = {};
  for (const s of r.steps) {
    if (s.error) steps[s.step] = { status: 'failed', type: s.kind, error: s.error };
    else if (!s.skipped) steps[s.step] = { status: 'ok', type: s.kind, output: s.result };
  }
  return { id: label, automation: r.automation, version: r.version, trigger: r.trigger, status: r.failed ? 'failed' : 'ok', attempts: 0, steps, createdAt: '' };
}
