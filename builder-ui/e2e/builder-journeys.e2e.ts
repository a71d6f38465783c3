import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { choose, confirmPop, createInBuilder, drag, publish, signInAt } from './builderHelpers';
import { eventually, signInAs, startCrmServer } from './dashboardsFixture';
import { AdminApi } from './fixture';
import type { TestServer } from './server';

// The builder's journeys on the crm-retail template, from the designer to
// the runtime: the points table gets a double-points day and the next
// checkout earns twice; a two-step approval flow drawn in the flow designer
// puts a task in the store manager's inbox, then in the region manager's; a form's label is changed, published
// and rolled back from the versions drawer.

let server: TestServer;
let browser: Browser;
let api: AdminApi;

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const MANAGER_PASSWORD = 'Journey-Passw0rd!';

/** A store request staff file and the store manager approves. */
const requestsForm = {
  title: t('门店申请', 'Store request'),
  titleField: 'title',
  fields: [
    { key: 'title', type: 'text', label: t('申请事项', 'Request'), required: true },
    { key: 'reason', type: 'textarea', label: t('理由', 'Reason') },
  ],
};

/** The store managers: they read and decide store requests. */
const managerRole = {
  title: t('店长', 'Store manager'),
  permissions: [
    { kind: 'app', key: 'crm', actions: ['read'] },
    { kind: 'form', key: 'e2e-requests', actions: ['read', 'update'] },
    { kind: 'flow', key: 'e2e-request-flow', actions: ['read', 'transition'] },
    { kind: 'view', key: '*', actions: ['read'] },
    { kind: 'page', key: '*', actions: ['read'] },
  ],
};

/** The region managers: the second step, after the store manager. */
const regionRole = { ...managerRole, title: t('区域经理', 'Region manager') };

beforeAll(async () => {
  server = await startCrmServer(0);
  api = await AdminApi.connect(server.url);
  await api.call('POST', '/api/apps/crm/forms/stores/records', { code: 'S0001', name: '南京西路店', province: '上海市', city: '上海', region: 'east', status: 'open' });
  await api.define('crm', 'form', 'e2e-requests', requestsForm);
  await api.define('crm', 'role', 'e2e-store-manager', managerRole);
  await api.call('POST', '/api/users', { username: 'manager.zhao', displayName: '赵店长', password: MANAGER_PASSWORD, roles: [{ app: 'crm', role: 'e2e-store-manager' }] });
  await api.define('crm', 'role', 'e2e-region-manager', regionRole);
  await api.call('POST', '/api/users', { username: 'region.qian', displayName: '钱经理', password: MANAGER_PASSWORD, roles: [{ app: 'crm', role: 'e2e-region-manager' }] });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, name), fullPage: true });
}


/** Today in the points table's time zone (the day a checkout now is counted on). */
function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** A new member and a one-line checkout of theirs; returns the points it earned. */
async function checkout(phone: string, receiptId: string): Promise<number> {
  await api.call('POST', '/api/apps/crm/actions/register-member', { phone, name: `会员${phone.slice(-4)}`, homeStore: 'S0001' });
  const sale = await api.call<{ pointsEarned: number }>('POST', '/api/apps/crm/actions/checkout', {
    receiptId,
    store: 'S0001',
    member: { phone },
    lines: [{ sku: 'FOOD-1', category: '食品', quantity: 2, price: '38.50' }],
  });
  return sale.pointsEarned;
}

describe('builder journeys on the CRM', () => {
  it('adds a double-points day to the points table, and the next checkout earns twice the points', async () => {
    const today = shanghaiToday();
    // Before: an ordinary day for the same basket and a member of the same tier.
    const ordinary = await checkout('13800138101', 'E2E-JOURNEY-1');
    expect(ordinary).toBeGreaterThan(0);
    // Today's multiplier before the change (2 if the test runs on one of
    // the template's holidays), so the comparison holds on any day.
    const inputs = { tier: 'normal', store: 'S0001', category: '食品', day: today };
    const was = await api.call<{ outputs: { multiplier: string } }>('POST', '/api/apps/crm/rules/points-earn/evaluate', { inputs });

    const page = await openPage(browser, 'journey-points', { viewport: { width: 1600, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/rule/points-earn');
    await page.getByTestId('rule-grid').waitFor();
    const before = await api.call<{ spec: { rows: unknown[] } }>('GET', '/api/apps/crm/meta/rule/points-earn?status=published');
    const n = before.spec.rows.length;
    await page.getByTestId('add-row').click();
    await page.getByTestId(`row-${n}`).waitFor();

    // The day cell: equal to today.
    await page.getByTestId(`cell-${n}-day`).locator('[role=button]').click();
    const editor = page.getByTestId('cell-editor');
    await editor.waitFor();
    await editor.locator('.ant-select').first().click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().getByTitle('等于', { exact: true }).click();
    const day = editor.getByLabel('值');
    await day.click();
    await day.fill(today);
    await day.press('Enter');
    await eventually(() => page.getByTestId(`cell-${n}-day`).textContent()).toContain(today);
    await page.keyboard.press('Escape');

    const multiplier = page.getByTestId(`out-${n}-multiplier`);
    await multiplier.fill('2');
    await multiplier.press('Enter');
    const reason = page.getByTestId(`out-${n}-reason`);
    await reason.fill('店庆双倍积分');
    await reason.press('Enter');
    const priority = page.getByTestId(`row-${n}`).locator('xpath=ancestor::tr').getByLabel('优先级');
    await priority.fill('100');
    await priority.press('Tab');
    await publish(page);
    await screenshot(page, 'journey-points-table.png');

    const after = await api.call<{ spec: { rows: { when: Record<string, unknown>; then: Record<string, unknown>; priority?: number }[] } }>('GET', '/api/apps/crm/meta/rule/points-earn?status=published');
    expect(after.spec.rows).toHaveLength(n + 1);
    const row = after.spec.rows[n]!;
    expect(JSON.stringify(row.when.day)).toContain(today);
    expect(row.then).toMatchObject({ multiplier: '2', reason: '店庆双倍积分' });
    expect(row.priority).toBe(100);

    // The table now answers 2 for today; the next checkout, same basket,
    // same tier, earns the points of multiplier 2 (twice an ordinary day's).
    const now = await api.call<{ outputs: { multiplier: string } }>('POST', '/api/apps/crm/rules/points-earn/evaluate', { inputs });
    expect(Number(now.outputs.multiplier)).toBe(2);
    const holiday = await checkout('13800138102', 'E2E-JOURNEY-2');
    expect(holiday * Number(was.outputs.multiplier)).toBe(2 * ordinary);
  });

  it('draws a two-step approval flow in the designer: a request reaches the store manager, then the region manager', async () => {
    const page = await openPage(browser, 'journey-flow', { viewport: { width: 1600, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder');
    await createInBuilder(page, '流程', 'e2e-request-flow', '门店申请审批', '门店申请 (e2e-requests)');

    // The approval step: holders of the store manager role decide.
    await page.getByTestId('add-approval').click();
    await page.getByTestId('state-review1').waitFor();
    const panel = page.getByTestId('state-panel');
    await page.getByTestId('state-label-zh').fill('店长审批');
    await choose(page, panel, '审批人来源', '角色');
    await choose(page, panel, '角色', 'e2e-store-manager');
    // The second step: holders of the region manager role.
    await page.getByTestId('add-approval').click();
    await page.getByTestId('state-review2').waitFor();
    await page.getByTestId('state-label-zh').fill('区域经理审批');
    await choose(page, panel, '审批人来源', '角色');
    await choose(page, panel, '角色', 'e2e-region-manager');
    await page.getByTestId('add-final').click();
    await page.getByTestId('state-done1').waitFor();
    await page.getByTestId('add-final').click();
    await page.getByTestId('state-done2').waitFor();

    const handle = (id: string, end: 'source' | 'target') => page.locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.${end}`);
    await drag(page, handle('draft', 'source'), handle('review1', 'target'));
    await eventually(() => page.getByTestId('transition-trigger').inputValue()).toBe('submit');
    await drag(page, handle('review1', 'source'), handle('review2', 'target'));
    await eventually(() => page.getByTestId('transition-trigger').inputValue()).toBe('approve');
    await drag(page, handle('review1', 'source'), handle('done2', 'target'));
    await eventually(() => page.getByTestId('transition-trigger').inputValue()).toBe('reject');
    await drag(page, handle('review2', 'source'), handle('done1', 'target'));
    await eventually(() => page.getByTestId('transition-trigger').inputValue()).toBe('approve');
    await drag(page, handle('review2', 'source'), handle('done2', 'target'));
    await eventually(() => page.getByTestId('transition-trigger').inputValue()).toBe('reject');
    await eventually(() => page.getByTestId('blockers').count()).toBe(0);
    await publish(page);
    await screenshot(page, 'journey-flow-designer.png');

    const flow = await api.call<{ spec: { form: string; states: { key: string; type?: string; approval?: { assignees: unknown[] } }[]; transitions: { trigger: string; from: string; to: string }[] } }>(
      'GET',
      '/api/apps/crm/meta/flow/e2e-request-flow?status=published',
    );
    expect(flow.spec.form).toBe('e2e-requests');
    expect(flow.spec.states.find((s) => s.key === 'review1')?.approval?.assignees).toEqual([{ role: 'e2e-store-manager' }]);
    expect(flow.spec.states.find((s) => s.key === 'review2')?.approval?.assignees).toEqual([{ role: 'e2e-region-manager' }]);
    expect(flow.spec.transitions.map((x) => [x.trigger, x.from, x.to])).toEqual([
      ['submit', 'draft', 'review1'],
      ['approve', 'review1', 'review2'],
      ['reject', 'review1', 'done2'],
      ['approve', 'review2', 'done1'],
      ['reject', 'review2', 'done2'],
    ]);

    // A request filed and submitted: the store manager finds it in the inbox.
    const rec = await api.call<{ _id: string }>('POST', '/api/apps/crm/forms/e2e-requests/records', { title: '更换收银台打印机', reason: '打印机卡纸' });
    await api.call('POST', `/api/apps/crm/forms/e2e-requests/records/${rec._id}/transitions/submit`, {});
    const mgr = await openPage(browser, 'journey-flow-manager', { viewport: { width: 1440, height: 900 } });
    await signInAs(mgr, server.url, '/inbox', 'manager.zhao', MANAGER_PASSWORD);
    const rows = mgr.getByTestId('task-row');
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('更换收银台打印机');
    await screenshot(mgr, 'journey-flow-inbox.png');

    // The store manager approves from the inbox: the second step's task
    // reaches the region manager.
    await rows.first().getByTestId('task-approve').click();
    await mgr.getByTestId('decision-submit').click();
    await eventually(() => rows.count()).toBe(0);
    const region = await openPage(browser, 'journey-flow-region', { viewport: { width: 1440, height: 900 } });
    await signInAs(region, server.url, '/inbox', 'region.qian', MANAGER_PASSWORD);
    const regionRows = region.getByTestId('task-row');
    await eventually(() => regionRows.count()).toBe(1);
    expect(await regionRows.first().textContent()).toContain('更换收银台打印机');
    await regionRows.first().getByTestId('task-approve').click();
    await region.getByTestId('decision-submit').click();
    await eventually(() => regionRows.count()).toBe(0);
    const done = await api.call<{ _state: string }>('GET', `/api/apps/crm/forms/e2e-requests/records/${rec._id}`);
    expect(done._state).toBe('done1');
  });

  it('changes a form label, publishes, and rolls back to the previous version from the versions drawer', async () => {
    const path = '/api/apps/crm/meta/form/stores?status=published';
    type FormDef = { version: number; spec: { fields: { key: string; label: Record<string, string> }[] } };
    const label = (d: FormDef) => d.spec.fields.find((f) => f.key === 'name')!.label['zh-CN'];
    const old = await api.call<FormDef>('GET', path);
    const oldLabel = label(old);

    const page = await openPage(browser, 'journey-rollback', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/form/stores');
    await page.getByTestId('canvas-field-name').click();
    await page.getByTestId('field-label-zh').fill('店铺名称');
    await publish(page);
    const changed = await api.call<FormDef>('GET', path);
    expect(label(changed)).toBe('店铺名称');
    expect(changed.version).toBeGreaterThan(old.version);

    await page.getByTestId('versions-open').click();
    await page.getByTestId(`version-${changed.version}`).waitFor();
    await page.getByTestId(`rollback-${old.version}`).click();
    await confirmPop(page);
    await eventually(async () => label(await api.call<FormDef>('GET', path))).toBe(oldLabel);
    const rolled = await api.call<FormDef>('GET', path);
    expect(rolled.version).toBeGreaterThan(changed.version);
    await screenshot(page, 'journey-rollback-designer.png');

    // The runtime list has the old label back.
    await page.goto(`${server.url}/apps/crm/view/stores`);
    await eventually(() => page.getByRole('columnheader').allTextContents()).toContain(oldLabel);
    expect(await page.getByRole('columnheader').allTextContents()).not.toContain('店铺名称');
    await screenshot(page, 'journey-rollback-list.png');
  });
});
