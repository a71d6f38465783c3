import { describe, expect, it } from 'vitest';
import { repoFile } from '../testing/goSource';
import { allSteps, duplicateIds, moveStep, newStep, uniqueStepId, unknownTypes, type AutomationSpec, type Step } from './steps';

const example = JSON.parse(repoFile('engine/meta/testdata/valid/automation.json')) as AutomationSpec;

const branch: Step = {
  id: 'vip',
  type: 'flow.branch',
  config: {
    record: { tier: 'diamond' },
    then: [{ id: 'coupon1', type: 'coupon.issue' }],
    else: [{ id: 'split1', type: 'flow.split', config: { variants: [{ key: 'a', weight: 50, actions: [{ id: 'sms', type: 'message.send' }] }, { key: 'b', weight: 50, actions: [] }] } }],
  },
};

describe('automation steps', () => {
  it('walks into branches and split variants', () => {
    expect(allSteps([...example.actions, branch]).map((s) => s.id)).toEqual(['coupon', 'notify', 'vip', 'coupon1', 'split1', 'sms']);
  });

  it('gives new steps unused ids and the example config of their type', () => {
    const steps = [...example.actions, branch];
    expect(uniqueStepId(steps, 'coupon.issue')).toBe('issue1');
    expect(uniqueStepId([{ id: 'send1', type: 'message.send' }], 'message.send')).toBe('send2');
    const s = newStep(steps, { key: 'flow.wait', examples: [{ days: 3 }] });
    expect(s).toEqual({ id: 'wait1', type: 'flow.wait', config: { days: 3 } });
    expect(newStep(steps, { key: 'x.y' })).toEqual({ id: 'y1', type: 'x.y' });
  });

  it('finds duplicate ids and unknown types anywhere', () => {
    expect(duplicateIds([...example.actions, { ...branch, config: { then: [{ id: 'notify', type: 'message.send' }] } }])).toEqual(['notify']);
    expect(duplicateIds(example.actions)).toEqual([]);
    expect(unknownTypes([branch], [{ key: 'flow.branch' }, { key: 'coupon.issue' }, { key: 'flow.split' }])).toEqual(['message.send']);
  });

  it('reorders', () => {
    expect(moveStep(example.actions, 1, 0).map((s) => s.id)).toEqual(['notify', 'coupon']);
    expect(moveStep(example.actions, 1, 5)).toEqual(example.actions);
  });
});
