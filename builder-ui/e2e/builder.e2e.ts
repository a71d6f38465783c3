import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { choose, confirmPop, createInBuilder, drag, signInAt } from './builderHelpers';
import { AdminApi, installShop } from './fixture';
import { startServer, type TestServer } from './server';

let server: TestServer;
let browser: Browser;
let api: AdminApi;

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** A points table like the CRM's: holidays double, gold members ×1.5. */
const pointsTable = {
  title: t('积分规则', 'Points earning'),
  hitPolicy: 'priority',
  inputs: [
    { key: 'tier', type: 'string', options: ['normal', 'gold'], label: t('会员等级', 'Tier') },
    { key: 'day', type: 'date', required: true, label: t('消费日期', 'Day') },
  ],
  outputs: [
    { key: 'multiplier', type: 'decimal', default: '1', label: t('倍率', 'Multiplier') },
    { key: 'reason', type: 'string', default: '', label: t('说明', 'Reason') },
  ],
  rows: [
    { when: { day: { $gte: '2026-10-01', $lte: '2026-10-07' } }, then: { multiplier: '2', reason: '国庆双倍积分' }, priority: 100 },
    { when: { tier: 'gold' }, then: { multiplier: '1.5', reason: '金卡' }, priority: 10 },
  ],
};

beforeAll(async () => {
  server = await startServer();
  api = await AdminApi.connect(server.url);
  await installShop(api);
  await api.define('shop', 'rule', 'points', pointsTable);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the builder', () => {
  it('designs a form by dragging fields, reorders with the keyboard, publishes, and the runtime uses it', async () => {
    const page = await openPage(browser, 'builder-form', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder');
    await createInBuilder(page, '表单', 'complaints', '会员投诉');

    const section = page.getByTestId('section-drop-0');
    await drag(page, page.getByTestId('palette-text'), section, 'bottom');
    await page.getByTestId('canvas-field-text1').waitFor();
    await drag(page, page.getByTestId('palette-select'), section, 'bottom');
    await page.getByTestId('canvas-field-select1').waitFor();
    await drag(page, page.getByTestId('palette-textarea'), section, 'bottom');
    await page.getByTestId('canvas-field-textarea1').waitFor();
    // Dropped onto the first card: the relation goes before it.
    await drag(page, page.getByTestId('palette-relation'), page.getByTestId('canvas-field-text1'));
    await page.getByTestId('canvas-field-relation1').waitFor();
    const order = () => page.locator('[data-testid^="canvas-field-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(13)));
    expect(await order()).toEqual(['relation1', 'text1', 'select1', 'textarea1']);

    // The keyboard: pick the relation up with Space, move it down, drop it.
    await page.getByTestId('canvas-field-relation1').focus();
    await page.keyboard.press('Space');
    await page.waitForTimeout(150);
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(150);
    await page.keyboard.press('Space');
    await expect.poll(order).toEqual(['text1', 'relation1', 'select1', 'textarea1']);
    // Alt+arrows move the focused field without picking it up.
    await page.getByTestId('canvas-field-relation1').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(order).toEqual(['relation1', 'text1', 'select1', 'textarea1']);
    await page.getByTestId('undo').click();
    await expect.poll(order).toEqual(['text1', 'relation1', 'select1', 'textarea1']);

    const props = page.getByTestId('properties');
    await page.getByTestId('canvas-field-text1').click();
    await page.getByTestId('field-label-zh').fill('主题');
    await page.getByTestId('field-required').click();
    await page.getByTestId('canvas-field-relation1').click();
    await page.getByTestId('field-label-zh').fill('投诉会员');
    await choose(page, props, '关联的表单', '会员 (members)');
    await page.getByTestId('canvas-field-textarea1').click();
    await page.getByTestId('field-label-zh').fill('处理意见');
    // Shown only when the select is 选项1: the runtime's filter builder.
    await props.getByRole('tab', { name: '条件' }).click();
    const cond = page.getByTestId('condition-visibleWhen');
    await cond.getByRole('button', { name: /添加条件$/ }).click();
    await choose(page, cond, '字段', '单选1');
    await choose(page, cond, '值', '选项1');

    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');

    const spec = (await api.call<{ spec: { fields: { key: string; visibleWhen?: unknown; form?: string }[] } }>('GET', '/api/apps/shop/meta/form/complaints?status=published')).spec;
    expect(spec.fields.map((f) => f.key)).toEqual(['text1', 'relation1', 'select1', 'textarea1']);
    expect(spec.fields[1]!.form).toBe('members');
    expect(spec.fields[3]!.visibleWhen).toEqual({ select1: { $eq: 'option1' } });

    // The runtime: the form as designed, the condition live, a record saved.
    await page.goto(`${server.url}/apps/shop/form/complaints/new`);
    await page.getByLabel('主题').fill('会员卡无法积分');
    expect(await page.getByTestId('field-textarea1').count()).toBe(0);
    await choose(page, page.getByTestId('field-select1'), '单选1', '选项1');
    await page.getByTestId('field-textarea1').waitFor();
    await page.getByLabel('处理意见').fill('已补积分');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(/\/apps\/shop\/form\/complaints\/records\/[a-z0-9]+$/);
    expect(await page.getByTestId('record-title').textContent()).toBe('会员卡无法积分');
  });

  it('edits a points table cell, publishes, and the evaluate preview shows the new value', async () => {
    const page = await openPage(browser, 'builder-rule', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder/rule/points');
    const cell = page.getByTestId('out-0-multiplier');
    await cell.fill('3');
    await cell.press('Enter');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('有未保存的修改');
    // The server's analysis of the draft (saved first): no unreachable rows, no gaps.
    await page.getByTestId('analyze').click();
    await expect.poll(() => page.getByTestId('analysis').textContent()).toContain('第 2 版的检查结果没有发现问题');
    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');

    const preview = page.getByTestId('rule-preview');
    await preview.getByText('已发布版本').click();
    const day = preview.getByLabel('消费日期');
    await day.click();
    await day.fill('2026-10-03');
    await day.press('Enter');
    await page.getByTestId('evaluate').click();
    await expect.poll(() => page.getByTestId('result-multiplier').textContent()).toBe('3');
    expect(await page.getByTestId('result-reason').textContent()).toBe('国庆双倍积分');
    // The published table answers the same to the runtime.
    const res = await api.call<{ outputs: { multiplier: string } }>('POST', '/api/apps/shop/rules/points/evaluate', { inputs: { day: '2026-10-03' } });
    expect(res.outputs.multiplier).toBe('3');
  });

  it('shows a conflict instead of overwriting when two tabs save the same definition', async () => {
    const a = await openPage(browser, 'builder-conflict', { viewport: { width: 1440, height: 1000 } });
    await signInAt(a, server.url, '/apps/shop/builder/rule/points');
    const b = await a.context().newPage();
    await b.goto(`${server.url}/apps/shop/builder/rule/points`);
    for (const p of [a, b]) await p.getByTestId('out-1-multiplier').waitFor();
    await a.getByTestId('out-1-multiplier').fill('1.6');
    await a.getByTestId('out-1-multiplier').press('Enter');
    await a.getByTestId('save-draft').click();
    await expect.poll(() => a.getByTestId('designer-status').textContent()).toContain('草稿');
    await b.getByTestId('out-1-multiplier').fill('1.8');
    await b.getByTestId('out-1-multiplier').press('Enter');
    await b.getByTestId('save-draft').click();
    await b.getByTestId('conflict').waitFor();
    const latest = await api.call<{ version: number; spec: { rows: { then: { multiplier: string } }[] } }>('GET', '/api/apps/shop/meta/rule/points');
    expect(latest.spec.rows[1]!.then.multiplier).toBe('1.6');
    await b.getByTestId('conflict-reload').click();
    await expect.poll(() => b.getByTestId('out-1-multiplier').inputValue()).toBe('1.6');
    expect(await b.getByTestId('conflict').count()).toBe(0);
  });

  it('draws a two-state workflow, publishes it, and records move through it', async () => {
    const page = await openPage(browser, 'builder-flow', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder');
    await createInBuilder(page, '流程', 'order-flow', '订单处理', '订单 (orders)');

    await page.getByTestId('add-final').click();
    await page.getByTestId('state-done1').waitFor();
    // Unreachable until drawn: shown on the node and blocking publication.
    await expect.poll(() => page.getByTestId('blockers').textContent()).toContain('done1');
    await drag(page, page.locator('.react-flow__node[data-id="draft"] .react-flow__handle.source'), page.locator('.react-flow__node[data-id="done1"] .react-flow__handle.target'));
    await page.getByTestId('transition-panel').waitFor();
    expect(await page.getByTestId('transition-trigger').inputValue()).toBe('submit');
    await page.getByTestId('transition-label-zh').fill('完成订单');
    expect(await page.getByTestId('blockers').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(1);

    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');
    const flow = await api.call<{ spec: { initial: string; transitions: unknown[] } }>('GET', '/api/apps/shop/meta/flow/order-flow?status=published');
    expect(flow.spec.initial).toBe('draft');
    expect(flow.spec.transitions).toEqual([{ trigger: 'submit', from: 'draft', to: 'done1', label: { 'zh-CN': '完成订单' } }]);

    // The runtime runs it: an order moves from draft to done1.
    const [order] = await api.bulkCreate('shop', 'orders', [{ no: 'SO-FLOW' }]);
    await api.call('POST', `/api/apps/shop/forms/orders/records/${order}/transitions/submit`, {});
    const rec = await api.call<{ _state: string }>('GET', `/api/apps/shop/forms/orders/records/${order}`);
    expect(rec._state).toBe('done1');
  });

  it('designs a bar chart report by dragging fields, then a dashboard showing it', async () => {
    const page = await openPage(browser, 'builder-report', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder');
    await createInBuilder(page, '报表', 'sales-by-member', '会员消费', '订单 (orders)');
    await drag(page, page.getByTestId('report-field-member'), page.getByTestId('zone-dims'));
    await page.getByTestId('placed-dim:0').waitFor();
    await drag(page, page.getByTestId('report-field-amount'), page.getByTestId('zone-measures'));
    await page.getByTestId('placed-mea:1').waitFor();
    await choose(page, page.locator('body'), '图表', '柱状图');
    // The draft drawn live from the server's aggregate: a bar per member.
    await page.getByTestId('report-preview').locator('svg').first().waitFor();
    expect(await page.getByTestId('report-preview-error').count()).toBe(0);
    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');
    const run = await api.call<{ rows: Record<string, unknown>[] }>('POST', '/api/apps/shop/reports/sales-by-member/run', {});
    expect(run.rows.some((r) => r.sum_amount === 12050)).toBe(true);

    await page.goto(`${server.url}/apps/shop/builder`);
    await createInBuilder(page, '仪表盘', 'cockpit', '经营驾驶舱');
    await choose(page, page.locator('body'), '选择报表', '会员消费');
    await page.getByTestId('add-widget').click();
    await page.getByTestId('design-widget-w1').locator('svg').first().waitFor();
    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');
    await page.goto(`${server.url}/apps/shop/dashboard/cockpit`);
    await page.getByTestId('widget-w1').locator('svg').first().waitFor();
  });

  it('adds a menu item visible to one role, previews the menu per role, and publishes the navigation', async () => {
    const page = await openPage(browser, 'builder-nav', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder/app/shop');
    await page.getByTestId('nav-add').hover();
    await page.getByRole('menuitem', { name: '列表（视图）' }).click();
    await page.getByTestId('nav-item-members2').waitFor();
    await page.getByTestId('item-title-zh').fill('金卡会员');
    const roles = page.getByTestId('item-roles').locator('input');
    await roles.fill('hq');
    await roles.press('Enter');
    await expect.poll(() => page.getByTestId('nav-item-members2').textContent()).toContain('hq');
    const preview = page.getByTestId('menu-preview');
    // Without the role the item is not in the menu; with it, it is.
    await expect.poll(() => preview.textContent()).not.toContain('金卡会员');
    await choose(page, page.locator('body'), '按角色预览', 'hq');
    await expect.poll(() => preview.textContent()).toContain('金卡会员');
    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');
    const app = await api.call<{ spec: { navigation: { key: string; roles?: string[] }[] } }>('GET', '/api/apps/shop/meta/app/shop?status=published');
    expect(app.spec.navigation.at(-1)).toMatchObject({ key: 'members2', roles: ['hq'], target: { kind: 'view', key: 'members' } });
    await page.goto(`${server.url}/apps/shop`);
    await expect.poll(() => page.getByTestId('menu-sider').textContent()).toContain('金卡会员');
  });

  it('configures an automation, shows the server refusing a step at the step, and publishes it', async () => {
    const page = await openPage(browser, 'builder-automation', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder');
    await createInBuilder(page, '自动化', 'order-followup', '订单回访', '订单 (orders)');
    const steps = page.getByTestId('steps-actions');
    const pickWait = steps.getByRole('combobox', { name: '选择动作类型' });
    await pickWait.fill('flow.wait');
    await pickWait.press('Enter');
    await steps.getByRole('button', { name: /添加动作/ }).click();
    await page.getByTestId('step-wait1').waitFor();
    const pickBranch = steps.getByRole('combobox', { name: '选择动作类型' }).last();
    await pickBranch.fill('flow.branch');
    await pickBranch.press('Enter');
    await steps.getByRole('button', { name: /添加动作/ }).last().click();
    await page.getByTestId('step-branch1').waitFor();
    await page.getByTestId('auto-enabled').click();
    // The branch's example tests a member's tier: the server refuses it on this form, at the step.
    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('step-branch1').getByTestId('step-problems').textContent()).toContain('.config.record.tier');
    await page.getByTestId('step-branch1').getByRole('button', { name: '删除' }).click();
    await page.getByTestId('publish').click();
    await confirmPop(page, 'publish-confirm');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toContain('已发布');
    const a = await api.call<{ spec: { enabled: boolean; trigger: unknown; actions: { id: string; type: string; config?: unknown }[] } }>('GET', '/api/apps/shop/meta/automation/order-followup?status=published');
    expect(a.spec.enabled).toBe(true);
    expect(a.spec.trigger).toEqual({ type: 'record.created', config: { form: 'orders' } });
    expect(a.spec.actions.map((x) => [x.id, x.type])).toEqual([['wait1', 'flow.wait']]);
    expect(a.spec.actions[0]!.config).toEqual({ days: 3 });
  });

  it('refuses a malformed app file with its reasons, and reports conflicts before importing over them', async () => {
    const page = await openPage(browser, 'builder-import', { viewport: { width: 1280, height: 900 } });
    await signInAt(page, server.url, '/apps/shop/builder');
    const bundle = await api.call<{ formatVersion: number; definitions: unknown[] }>('GET', '/api/apps/shop/export');
    const newer = join(resultsDir, 'newer.tangram.json');
    const same = join(resultsDir, 'shop.tangram.json');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(newer, JSON.stringify({ ...bundle, formatVersion: 99 }));
    writeFileSync(same, JSON.stringify(bundle));
    await page.getByTestId('import-app').click();
    const file = page.getByTestId('app-import-file').locator('input[type=file]');
    await file.setInputFiles(newer);
    await expect.poll(() => page.getByTestId('import-problems').textContent()).toContain('newer Tangram');
    expect(await page.getByTestId('import-run').isDisabled()).toBe(true);
    await file.setInputFiles(same);
    await expect.poll(() => page.getByTestId('import-conflicts').textContent()).toContain('form/members');
    expect(await page.getByTestId('import-run').isDisabled()).toBe(true);
    await page.getByTestId('import-overwrite').click();
    await page.getByTestId('import-check').click();
    await expect.poll(() => page.getByTestId('import-report').textContent()).toContain('form/members');
    await page.getByTestId('import-run').click();
    await expect.poll(() => page.getByTestId('import-report-title').textContent()).toBe('导入完成');
  });
});

