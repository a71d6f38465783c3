import { describe, expect, it } from 'vitest';
import { messages } from '../../i18n/messages';
import { asRun, depth, durationParts, notes, outcome, tally, type Outcome, type TestResult, type TestStep } from './testRun';

/** A test run as the server answers it (engine/automation dryrun_test.go's journey). */
const result: TestResult = {
  automation: 'journey',
  version: 2,
  trigger: 'record.created',
  form: 'members',
  matched: true,
  steps: [
    { step: 'bonus', kind: 'flow.branch', path: 'actions[1]', result: { branch: 'then' } },
    { step: 'credit', kind: 'ledger.post', path: 'actions[1].config.then[0]', result: { amount: 50 } },
    { step: 'nobonus', kind: 'message.send', path: 'actions[1].config.else[0]', skipped: true, reason: 'not_chosen' },
    { step: 'ab', kind: 'flow.split', path: 'actions[2]', result: { variant: 'b', assigned: true } },
    { step: 'ab_variants1_1', kind: 'message.send', path: 'actions[2].config.variants[1].actions[0]', result: { channel: 'outbox', messages: [{ channel: 'outbox', to: '13800000001', text: 'B' }] } },
    { step: 'erp', kind: 'http.call', path: 'actions[3]', skipped: true, reason: 'outside', result: { wouldCall: { method: 'POST', url: 'https://erp.example.com/m/1' } } },
    { step: 'later', kind: 'flow.wait', path: 'actions[4]', result: { wouldWaitUntil: '2026-03-05T08:00:00Z', waitSeconds: 259200 } },
    { step: 'gift', kind: 'action.run', path: 'actions[5]', error: { code: 'action.invalid_input', message: 'points is required' } },
    { step: 'clerk', kind: 'message.send', path: 'actions[6]', skipped: true, reason: 'after_error' },
  ],
  failed: 'gift',
};
const byId = (id: string): TestStep => result.steps.find((s) => s.step === id)!;

describe('automation test run', () => {
  it('tags each step by how it ended', () => {
    expect(result.steps.map(outcome)).toEqual(['ok', 'ok', 'not_chosen', 'ok', 'ok', 'outside', 'ok', 'error', 'after_error']);
    expect(outcome({ step: 'x', kind: 'k', path: 'actions[0]', skipped: true })).toBe('not_chosen');
    expect(tally(result)).toEqual({ ran: 5, skipped: 3, failed: 1 });
  });

  it('says what a step did or would do', () => {
    expect(notes(byId('later'))).toEqual([{ key: 'wait', params: { until: '2026-03-05T08:00:00Z', seconds: '259200' } }]);
    expect(notes(byId('erp'))).toEqual([{ key: 'call', params: { method: 'POST', url: 'https://erp.example.com/m/1' } }]);
    expect(notes(byId('ab_variants1_1'))).toEqual([{ key: 'message', params: { channel: 'outbox', to: '13800000001', text: 'B' } }]);
    expect(notes(byId('ab'))).toEqual([{ key: 'variant', params: { variant: 'b' } }]);
    expect(notes(byId('bonus'))).toEqual([{ key: 'branch', params: { branch: 'then' } }]);
    expect(notes(byId('credit'))).toEqual([]);
    expect(notes(byId('clerk'))).toEqual([]);
    expect(notes({ step: 's', kind: 'message.send', path: 'actions[0]', result: { messages: [], skipped: 'no recipient' } })).toEqual([{ key: 'noRecipient', params: {} }]);
    expect(notes({ step: 's', kind: 'workflow.fire', path: 'actions[0]', result: { wouldFire: { trigger: 'submit', record: 'r1' } } })).toEqual([{ key: 'fire', params: { trigger: 'submit', record: 'r1' } }]);
    expect(notes({ step: 's', kind: 'message.send', path: 'actions[0]', result: { channel: 'sms', messages: [{ to: 'a', subject: 'Hi', text: 'there' }] } })[0]!.params).toEqual({ channel: 'sms', to: 'a', text: 'Hi — there' });
  });

  it('shows a wait in days, hours and minutes', () => {
    expect(durationParts(259200)).toEqual([{ unit: 'd', n: 3 }]);
    expect(durationParts(93784)).toEqual([{ unit: 'd', n: 1 }, { unit: 'h', n: 2 }, { unit: 'm', n: 3 }]);
    expect(durationParts(0)).toEqual([{ unit: 'm', n: 0 }]);
    expect(durationParts(-5)).toEqual([{ unit: 'm', n: 0 }]);
  });

  it('shows a test run on the steps as a run', () => {
    const run = asRun(result, '试运行');
    expect(Object.keys(run.steps!)).toEqual(['bonus', 'credit', 'ab', 'ab_variants1_1', 'later', 'gift']);
    expect(run.steps!.gift).toEqual({ status: 'failed', type: 'action.run', error: { code: 'action.invalid_input', message: 'points is required' } });
    expect(run.steps!.credit).toEqual({ status: 'ok', type: 'ledger.post', output: { amount: 50 } });
    expect([run.id, run.status, run.version]).toEqual(['试运行', 'failed', 2]);
  });

  it('indents nested steps by their block', () => {
    expect(result.steps.map((s) => depth(s.path))).toEqual([0, 1, 1, 0, 1, 0, 0, 0, 0]);
    expect(depth('actions[0].config.then[1].config.else[0]')).toBe(2);
  });

  it('names every outcome and note in both languages', () => {
    const outcomes: Outcome[] = ['ok', 'error', 'outside', 'not_chosen', 'after_error', 'condition'];
    const keys = [...outcomes.map((o) => `builder.auto.test.${o}`), ...['wait', 'call', 'fire', 'message', 'noRecipient', 'variant', 'branch'].map((n) => `builder.auto.test.note.${n}`), ...['d', 'h', 'm'].map((u) => `builder.auto.test.unit.${u}`)];
    for (const k of keys) {
      expect(messages.en[k as keyof (typeof messages)['en']], k).toBeTruthy();
      expect(messages['zh-CN'][k as keyof (typeof messages)['en']], k).toBeTruthy();
    }
  });
});
