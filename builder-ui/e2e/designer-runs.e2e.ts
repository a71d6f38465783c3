import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { signInAt } from './builderHelpers';
import { AdminApi, installShop } from './fixture';
import { startServer, type TestServer } from './server';

// The designers run what is being designed through the real engines: a
// report draft through the report engine (top N with an others row, a
// formula measure, a join), an automation through a test run on a chosen
// record that keeps nothing.

let server: TestServer;
let browser: Browser;
let api: AdminApi;

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** Sales by member with a formula measure and the member's tier through a join; the top 10 and the rest. */
const salesByMember = {
  title: t('会员销售', 'Sales by member'),
  dataset: { form: 'orders', joins: [{ relation: 'member', as: 'm' }] },
  dimensions: [{ field: 'member' }],
  measures: [
    { op: 'sum', field: 'amount', as: 'sales', format: 'money', label: t('销售额', 'Sales') },
    { op: 'count', as: 'orders', label: t('订单数', 'Orders') },
    { op: 'formula', formula: 'sales / orders', as: 'aov', format: 'money', label: t('客单价', 'AOV') },
    { op: 'countDistinct', field: 'm.tier', as: 'tiers', label: t('等级数', 'Tiers') },
  ],
  sort: '-sales',
  limit: 10,
  others: true,
  chart: { type: 'chart.table' },
};

/** Thanks a member for an order: their record, a text, a write, a wait. */
const orderThanks = {
  title: t('订单感谢', 'Order thanks'),
  trigger: { type: 'record.created', config: { form: 'orders' } },
  actions: [
    { id: 'm', type: 'record.get', config: { form: 'members', id: '$record.member' } },
    { id: 'thanks', type: 'message.send', config: { to: '$steps.m.phone', text: '{{steps.m.name}}，感谢您的订单 {{record.no}}' } },
    { id: 'bump', type: 'record.update', config: { values: { amount: '999' } } },
    { id: 'later', type: 'flow.wait', config: { days: 1 } },
  ],
};

let members: string[] = [];
/** How the design tab marks an action that ran. */
const OK = '成功';

beforeAll(async () => {
  server = await startServer();
  api = await AdminApi.connect(server.url);
  ({ members } = await installShop(api));
  await api.bulkCreate('shop', 'orders', [
    { no: 'SO-101', member: members[1], amount: '300' },
    { no: 'SO-102', member: members[2], amount: '50' },
  ]);
  await api.define('shop', 'report', 'sales-by-member', salesByMember);
  await api.define('shop', 'automation', 'order-thanks', orderThanks);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('designers run drafts through the engines', () => {
  it('previews an unsaved report change (top 1 and the others row) as the report engine runs it', async () => {
    const page = await openPage(browser, 'designer-runs-report', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/shop/builder/report/sales-by-member');
    const preview = page.getByTestId('report-preview');
    // The saved draft: three members, the formula computed by the engine.
    await expect.poll(() => page.getByTestId('report-preview-rows').textContent()).toContain('3 行');
    await expect.poll(() => preview.textContent()).toContain('客单价');
    await expect.poll(() => preview.textContent()).toContain('会员02');

    // Top 1, not saved: the biggest spender and an others row.
    const limit = page.locator('.ant-form-item', { hasText: '最多行数' }).locator('input');
    await limit.fill('1');
    await limit.press('Tab');
    await expect.poll(() => page.getByTestId('report-preview-rows').textContent()).toContain('1 行');
    await expect.poll(() => page.getByTestId('report-preview-rows').textContent()).toContain('其他');
    expect(await preview.textContent()).toContain('会员02');
    expect(await preview.textContent()).not.toContain('会员01');
    expect(await page.getByTestId('report-preview-error').count()).toBe(0);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'designer-runs-report.png'), fullPage: true });

    // The published report did not change.
    const run = await api.call<{ rows: Record<string, unknown>[]; version: number }>('POST', '/api/apps/shop/reports/sales-by-member/run', {});
    expect(run.rows).toHaveLength(3);
    // Removing the measure the formula reads: the engine's refusal, at its paths.
    await page.getByTestId('placed-mea:0').locator('.anticon-close').click();
    await expect.poll(() => page.getByTestId('report-preview-error').textContent()).toContain('spec.measures[1].formula');
    expect(await page.getByTestId('report-preview-error').textContent()).toContain('spec.sort');
  });

  it('test-runs an automation on a chosen order: each step shown, nothing written or sent', async () => {
    const page = await openPage(browser, 'designer-runs-automation', { viewport: { width: 1440, height: 1000 } });
    const before = await api.call<{ items: { no: string; amount: unknown; _id: string }[] }>('GET', '/api/apps/shop/forms/orders/records?limit=50');
    await signInAt(page, server.url, '/apps/shop/builder/automation/order-thanks');
    await page.getByRole('tab', { name: '试运行' }).click();
    const search = page.getByRole('combobox', { name: '试运行记录' });
    await search.fill('SO-001');
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().getByTitle('SO-001', { exact: true }).click();
    await page.getByTestId('test-run-button').click();

    await expect.poll(() => page.getByTestId('test-step-thanks').textContent()).toContain('13900000001');
    expect(await page.getByTestId('test-step-thanks').textContent()).toContain('会员01，感谢您的订单 SO-001');
    expect(await page.getByTestId('test-step-bump').textContent()).toContain('已执行');
    expect(await page.getByTestId('test-step-later').textContent()).toContain('将等待');
    expect(await page.getByTestId('test-run-summary').textContent()).toContain('执行 4 步');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'designer-runs-automation.png'), fullPage: true });
    // The results on the designed steps.
    await page.getByTestId('test-run-show').click();
    await expect.poll(() => page.getByTestId('step-thanks').textContent()).toContain(OK);
    expect(await page.getByTestId('step-later').textContent()).toContain(OK);

    // Nothing kept: the order's amount, no message in the outbox, no run.
    const after = await api.call<{ items: { no: string; amount: unknown }[] }>('GET', '/api/apps/shop/forms/orders/records?limit=50');
    expect(after.items.map((o) => [o.no, o.amount])).toEqual(before.items.map((o) => [o.no, o.amount]));
    const messages = await api.call<{ messages: unknown[] }>('GET', '/api/apps/shop/automation-messages?limit=10');
    expect(messages.messages).toHaveLength(0);
    const runs = await api.call<{ runs: unknown[] }>('GET', '/api/apps/shop/automation-runs?automation=order-thanks');
    expect(runs.runs).toHaveLength(0);
  });
});
