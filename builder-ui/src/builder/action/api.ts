import { api } from '../../api/client';

/** A record the test run created, updated or deleted (ids and changed field names, never values). */
export interface RecordWrite {
  form: string;
  id: string;
  op: 'create' | 'update' | 'delete';
  fields?: string[];
}

/** A ledger entry the test run posted. */
export interface LedgerPost {
  entry: string;
  owner: string;
  kind: string;
  unit?: string;
  amount: number;
  balanceAfter: number;
  type?: string;
  key?: string;
  ref?: string;
  expiresAt?: string;
}

/** POST /api/apps/:app/actions/:action/test (engine/action testrun.go). */
export interface ActionTestResult {
  action: string;
  version: number;
  status: 'draft' | 'published' | 'superseded';
  ok: boolean;
  output?: unknown;
  error?: { code: string; message: string; errors?: { path: string; message: string }[]; line?: number; column?: number };
  logs: string[];
  writes: { records: RecordWrite[]; ledger: LedgerPost[]; other: Record<string, number>; truncated?: boolean };
  /** Milliseconds; a decimal, so a string after the exact JSON parse. */
  ms: number | string;
}

const seg = encodeURIComponent;

/** Runs an action's draft or published version once and rolls everything back. */
export function testAction(app: string, action: string, input: unknown, version: 'draft' | 'published'): Promise<ActionTestResult> {
  return api.post<ActionTestResult>(`/api/apps/${seg(app)}/actions/${seg(action)}/test`, { input, version });
}
