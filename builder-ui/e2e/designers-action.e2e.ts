import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { createInBuilder, publish, signInAt } from './builderHelpers';
import { AdminApi } from './fixture';
import { startCrmServer } from './dashboardsFixture';
import type { TestServer } from './server';

// The action designer on the crm-retail template: the POS checkout
// test-run on a member with a small basket (the points it would earn,
// nothing kept), an input parameter added and published, and the
// designer at a phone's width.

let server: TestServer;
let browser: Browser;
let api: AdminApi;

const PHONE = '13800138066';
let member = '';

beforeAll(async () => {
  server = await startCrmServer(0);
  api = await AdminApi.connect(server.url);
  await api.call('POST', '/api/apps/crm/forms/stores/records', { code: 'S0001', name: '南京西路店', province: '上海市', city: '上海', region: 'east', status: 'open' });
  const reg = await api.call<{ member: { id: string } }>('POST', '/api/apps/crm/actions/register-member', { phone: PHONE, name: '试运行会员', homeStore: 'S0001' });
  member = reg.member.id;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** How many sales, points entries and points the member has (what a checkout would change). */
async function memberState(): Promise<[number, number, number]> {
  const sales = await api.call<{ items: unknown[] }>('GET', `/api/apps/crm/forms/transactions/records?limit=100&filter=${encodeURIComponent(JSON.stringify({ member }))}`);
  const entries = await api.call<{ items: unknown[] }>('GET', `/api/apps/crm/ledger/entries?owner=${member}&kind=points`);
  const rec = await api.call<{ points?: number }>('GET', `/api/apps/crm/forms/members/records/${member}`);
  return [sales.items.length, entries.items.length, Number(rec.points ?? 0)];
}

/** Fills the checkout's test form: a receipt of one line for the member, at S0001. */
async function fillBasket(page: Page, receiptId: string, line: object): Promise<void> {
  await page.getByRole('tab', { name: '试运行' }).click();
  await page.getByTestId('test-input-receiptId').fill(receiptId);
  await page.getByTestId('test-input-store').fill('S0001');
  await page.getByTestId('test-input-member').fill(JSON.stringify({ phone: PHONE }));
  await page.getByTestId('test-input-lines').fill(JSON.stringify([line]));
  await page.getByTestId('test-run-button').click();
}


describe('the action designer', () => {
  it('test-runs the checkout on a member without keeping anything', async () => {
    const page = await openPage(browser, 'action-test', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/action/checkout');
    await expect.poll(() => page.getByTestId('param-name-0').inputValue()).toBe('receiptId');
    // The script is the template's, in the editor with its line numbers.
    expect(await page.getByTestId('action-script').inputValue()).toContain('ledger.post');
    const before = await memberState();

    await fillBasket(page, 'E2E-TEST-1', { sku: 'A1', category: '食品', quantity: 2, price: '39.90' });

    await expect.poll(() => page.getByTestId('test-summary').textContent(), { timeout: 15_000 }).toMatch(/运行成功/);
    const output = JSON.parse((await page.getByTestId('test-output').textContent()) ?? '{}') as { pointsEarned?: number; receiptId?: string };
    expect(output.receiptId).toBe('E2E-TEST-1');
    expect(output.pointsEarned).toBeGreaterThan(0);
    // The points it would earn are among the writes, with the sale it would record.
    expect(await page.getByTestId('test-ledger').textContent()).toContain(`points +${output.pointsEarned}`);
    expect(await page.getByTestId('test-records').textContent()).toContain('transactions');
    expect(await page.getByTestId('test-rolled-back').textContent()).toContain('未保存任何数据');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'action-test-run.png'), fullPage: true });
    // Nothing was kept: no sale, no points entry, the member's points unchanged.
    expect(await memberState()).toEqual(before);
  });

  it('adds an input parameter and publishes it', async () => {
    const page = await openPage(browser, 'action-param', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/action/checkout');
    const params = page.getByTestId('action-params');
    await expect.poll(() => page.getByTestId('param-name-0').inputValue()).toBe('receiptId');
    const count = await params.locator('[data-testid^="param-name-"]').count();
    await page.getByTestId('param-add').click();
    const name = page.getByTestId(`param-name-${count}`);
    await name.fill('cashierNote');
    await page.getByTestId(`param-${count}`).getByLabel('说明').fill('收银员备注');
    await page.getByTestId(`param-${count}`).getByLabel('最长').fill('200');
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toMatch(/未保存/);
    await publish(page);
    const pub = await api.call<{ spec: { input: { properties: Record<string, unknown>; definitions?: unknown; required?: string[] } } }>('GET', '/api/apps/crm/meta/action/checkout?status=published');
    expect(pub.spec.input.properties.cashierNote).toEqual({ type: 'string', description: '收银员备注', maxLength: 200 });
    // The rest of the schema is untouched.
    expect(pub.spec.input.required).toEqual(['receiptId', 'store', 'member', 'lines']);
    expect(pub.spec.input.definitions).toBeTruthy();
    // A real checkout takes the new parameter.
    const sale = await api.call<{ pointsEarned: number }>('POST', '/api/apps/crm/actions/checkout', {
      receiptId: 'E2E-REAL-1', store: 'S0001', member: { phone: PHONE }, lines: [{ sku: 'A1', category: '食品', quantity: 1, price: '10' }], cashierNote: '测试',
    });
    expect(sale.pointsEarned).toBeGreaterThan(0);
  });

  it('creates an action, marks a compile error at its line after save, and test-runs the draft', async () => {
    const page = await openPage(browser, 'action-new', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder');
    await createInBuilder(page, '动作', 'e2e-echo', '回声');
    await page.getByTestId('param-add').click();
    await page.getByTestId('param-name-0').fill('text');
    const script = page.getByTestId('action-script');
    await script.fill("log('hi');\nconst x = ;\nreturn {echo: input.text};");
    await page.getByTestId('save-draft').click();
    // The server refuses the save; its syntax error is marked at line 2.
    await page.getByTestId('script-mark-2').waitFor();
    expect(await page.getByTestId('script-problems').textContent()).toContain('line 2');
    await script.fill("log('hi');\nconst x = 1;\nreturn {echo: input.text, x};");
    await page.getByRole('tab', { name: '试运行' }).click();
    await page.getByTestId('test-input-text').fill('你好');
    await page.getByTestId('test-run-button').click();
    await expect.poll(() => page.getByTestId('test-summary').textContent(), { timeout: 15_000 }).toMatch(/运行成功/);
    expect(JSON.parse((await page.getByTestId('test-output').textContent()) ?? '{}')).toEqual({ echo: '你好', x: 1 });
    expect(await page.getByTestId('test-log').textContent()).toBe('hi');
    expect(await page.getByTestId('designer-status').textContent()).toMatch(/草稿/);
  });

  it('fits 375 px without scrolling the page sideways', async () => {
    const page = await openPage(browser, 'action-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInAt(page, server.url, '/apps/crm/builder/action/checkout');
    await page.getByTestId('action-params').waitFor();
    await page.waitForLoadState('networkidle');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'phone-action.png'), fullPage: true });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
    await fillBasket(page, 'E2E-PHONE-1', { sku: 'B2', category: '美妆', quantity: 1, price: '88' });
    await page.getByTestId('test-writes').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(resultsDir, 'phone-action-test.png'), fullPage: true });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
  });
});
