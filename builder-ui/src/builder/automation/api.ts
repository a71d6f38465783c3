import { api } from '../../api/client';

/** A registered trigger, action or channel type (engine/ext Spec). */
export interface ExtSpec {
  key: string;
  version?: number;
  title?: Record<string, string>;
  config?: JsonSchema;
  examples?: unknown[];
  group?: string;
  uiHint?: string;
}

/** The parts of JSON Schema the settings forms read. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  description?: string;
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
}

/** GET /api/automation/extensions. */
export interface Extensions {
  triggers: ExtSpec[];
  actions: ExtSpec[];
  channelTypes?: ExtSpec[];
  channels?: string[];
}

export function automationExtensions(): Promise<Extensions> {
  return api.get<Extensions>('/api/automation/extensions');
}

/** One action's result in a run. */
export interface StepResult {
  status: 'ok' | 'failed';
  type?: string;
  key?: string;
  at?: string;
  output?: unknown;
  error?: { code?: string; message?: string };
  attempts?: number;
}

/** One run of an automation. */
export interface AutomationRun {
  id: string;
  automation: string;
  version: number;
  trigger: string;
  eventType?: string;
  record?: string;
  status: string;
  attempts: number;
  steps?: Record<string, StepResult>;
  variants?: Record<string, string>;
  error?: { code?: string; message?: string; step?: string };
  createdAt: string;
  finishedAt?: string;
}

const seg = encodeURIComponent;

/** The run log of one automation (or the dead letters), newest first. */
export function automationRuns(app: string, automation: string, dead: boolean, cursor?: string): Promise<{ runs: AutomationRun[]; next?: string }> {
  const path = dead ? `/api/apps/${seg(app)}/dead-letters` : `/api/apps/${seg(app)}/automation-runs`;
  return api.get(path, { query: { automation, limit: 50, cursor } });
}

/** Sends a dead run back to the runner. */
export function replayRun(app: string, id: string): Promise<AutomationRun> {
  return api.post<AutomationRun>(`/api/apps/${seg(app)}/automation-runs/${seg(id)}/replay`);
}

/** Runs a manual automation for records now (real runs, written). */
export function triggerAutomation(app: string, automation: string, records: string[]): Promise<unknown> {
  return api.post(`/api/apps/${seg(app)}/automations/${seg(automation)}/trigger`, { records });
}
