import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { eventually, installCockpit, signInAs, startCrmServer } from './dashboardsFixture';
import { AdminApi } from './fixture';
import type { TestServer } from './server';

let server: TestServer;
let browser: Browser;
let api: AdminApi;

beforeAll(async () => {
  server = await startCrmServer();
  api = await AdminApi.connect(server.url);
  await installCockpit(api);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const PATH = '/apps/crm/dashboard/e2e-cockpit';
const HQ = '/apps/crm/dashboard/hq-cockpit';

interface Data {
  widgets: { id: string; result?: { rows: Record<string, unknown>[] }; error?: unknown }[];
}

/** A dashboard's data as the API computes it for filter values. */
function data(filters: object, key = 'e2e-cockpit'): Promise<Data> {
  return api.call<Data>('GET', `/api/apps/crm/dashboards/${key}/data?filters=${encodeURIComponent(JSON.stringify(filters))}`);
}

/** The orders of a KPI widget's result. */
function ordersOf(d: Data, widget: string): string {
  return String(d.widgets.find((w) => w.id === widget)?.result?.rows[0]?.orders);
}

/** Waits for a dashboard: the KPI numbers of a widget and a drawn chart. */
async function loaded(page: Page, kpi = 'kpi', chart = 'trend'): Promise<void> {
  await page.getByTestId(`widget-${kpi}`).getByTestId('kpi-orders').waitFor();
  await page.getByTestId(`widget-${chart}`).locator('[data-testid="echart"] svg path').first().waitFor({ state: 'attached' });
}

const orders = (page: Page, widget = 'kpi') => page.getByTestId(`widget-${widget}`).getByTestId('kpi-orders').getByTestId('kpi-value');

/** Picks an option in the open select dropdown. */
async function pick(page: Page, title: string): Promise<void> {
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
    .getByTitle(title, { exact: true })
    .filter({ visible: true })
    .click();
}

/**
 * A point inside the province with the most sales on a widget's China map:
 * the region drawn in the top colour of the map's range (extensions/charts
 * map.tsx), its largest part, at a pixel where that region is the topmost
 * element (small provinces and islands included), scrolled into view.
 * undefined until drawn.
 */
async function topProvince(page: Page, widget: string): Promise<{ x: number; y: number } | undefined> {
  return page.getByTestId(`widget-${widget}`).locator('[data-testid="echart"]').evaluate((el) => {
    // Hit-testing and the click need the map on screen.
    el.scrollIntoView({ block: 'center' });
    let best: { p: Element; r: DOMRect } | undefined;
    for (const p of Array.from(el.querySelectorAll('svg path'))) {
      if (getComputedStyle(p).fill !== 'rgb(9, 88, 217)') continue;
      const r = p.getBoundingClientRect();
      if (!best || r.width * r.height > best.r.width * best.r.height) best = { p, r };
    }
    if (!best) return undefined;
    const { p, r } = best;
    const at = (fx: number, fy: number) => ({ x: r.x + r.width * fx, y: r.y + r.height * fy });
    for (let n = 2; n <= 24; n *= 2) {
      for (let i = 1; i < n; i += 2) {
        for (let j = 1; j < n; j += 2) {
          const pt = at(i / n, j / n);
          if (document.elementFromPoint(pt.x, pt.y) === p) return pt;
        }
      }
    }
    return undefined;
  });
}

describe('dashboards in the browser', () => {
  it('opens the HQ cockpit, changes the date range, region, tier and store, and drills from a chart into the records', async () => {
    const page = await openPage(browser, 'dashboard-hq-cockpit', { viewport: { width: 1366, height: 1000 } });
    await signInAs(page, server.url, HQ);
    await loaded(page, 'sales', 'trend');
    expect(await page.getByTestId('dashboard-title').textContent()).toBe('总部驾驶舱');
    await eventually(() => orders(page, 'sales').textContent()).toBe(ordersOf(await data({}, 'hq-cockpit'), 'sales'));
    expect(await page.getByTestId('widget-error').count()).toBe(0);
    await page.screenshot({ path: join(resultsDir, 'dashboard-hq-cockpit.png'), fullPage: true });

    // Last 30 days: the address keeps it, the numbers follow the server's.
    await page.getByTestId('filter-period').getByTestId('date-preset').click();
    await pick(page, '最近30天');
    await page.waitForURL((u) => u.searchParams.get('filters') === JSON.stringify({ period: 'last30days' }));
    let filters: Record<string, unknown> = { period: 'last30days' };
    const month = Number(ordersOf(await data(filters, 'hq-cockpit'), 'sales'));
    expect(month).toBeGreaterThan(0);
    await eventually(() => orders(page, 'sales').textContent()).toBe(String(month));

    // East China, gold members: selects with the stores' and members' options.
    await page.getByTestId('filter-region').locator('.ant-select').click();
    await pick(page, '华东');
    await page.getByTestId('filter-tier').locator('.ant-select').click();
    await pick(page, '普通');
    filters = { ...filters, region: 'east', tier: 'normal' };
    const narrowed = Number(ordersOf(await data(filters, 'hq-cockpit'), 'sales'));
    await eventually(() => orders(page, 'sales').textContent()).toBe(String(narrowed));
    expect(narrowed).toBeLessThan(month);

    // One store, picked by searching the stores: the first result, chosen
    // with the keyboard in the select that has focus (a click could land on
    // the tier list still closing, or on an option replaced by the search).
    const store = page.getByTestId('filter-store').locator('.ant-select');
    await store.click();
    const input = store.locator('input');
    await expect.poll(() => input.getAttribute('aria-expanded')).toBe('true');
    const list = page.locator(`#${await input.getAttribute('aria-controls')}`);
    await expect.poll(() => list.locator('[role="option"]').count()).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !!u.searchParams.get('filters')?.includes('"store"'));
    filters = JSON.parse(new URL(page.url()).searchParams.get('filters') ?? '{}') as Record<string, unknown>;
    await eventually(() => orders(page, 'sales').textContent()).toBe(ordersOf(await data(filters, 'hq-cockpit'), 'sales'));

    // Without the store and tier, a click on the province with the most sales opens its sales.
    for (const f of ['store', 'tier']) {
      await page.getByTestId(`filter-${f}`).locator('.ant-select').hover();
      await page.getByTestId(`filter-${f}`).locator('.ant-select-clear').click();
      await page.waitForURL((u) => !u.searchParams.get('filters')?.includes(`"${f}"`));
    }
    await page.waitForURL((u) => u.searchParams.get('filters') === JSON.stringify({ period: 'last30days', region: 'east' }));
    await eventually(() => orders(page, 'sales').textContent()).toBe(ordersOf(await data({ period: 'last30days', region: 'east' }, 'hq-cockpit'), 'sales'));
    await page.getByTestId('widget-map').getByTestId('china-map').locator('svg path').first().waitFor({ state: 'attached' });
    await eventually(async () => !!(await topProvince(page, 'map'))).toBe(true);
    const top = (await topProvince(page, 'map'))!;
    const drill = page.waitForResponse((r) => r.url().includes('/reports/sales-by-province/run') && r.request().method() === 'POST');
    await page.mouse.click(top.x, top.y);
    const d = (await (await drill).json()) as { form: string; count: number; filter: object };
    expect(d.form).toBe('transactions');
    expect(d.count).toBeGreaterThan(0);
    await page.waitForURL(/\/apps\/crm\/form\/transactions\?filter=/);
    const listed = page.locator('[data-testid="record-table"] tbody tr.ant-table-row');
    await eventually(() => listed.count()).toBe(Math.min(d.count, 20));
    // The filter selects exactly the records the cell counted.
    const all = await api.call<{ items: unknown[] }>('GET', `/api/apps/crm/forms/transactions/records?limit=500&filter=${encodeURIComponent(JSON.stringify(d.filter))}`);
    expect(all.items.length).toBe(d.count);
    await page.screenshot({ path: join(resultsDir, 'dashboard-drill.png'), fullPage: true });
  });

  it('drills from a pivot cell and exports a widget as CSV', async () => {
    const page = await openPage(browser, 'dashboard-pivot-export', { viewport: { width: 1366, height: 1000 }, acceptDownloads: true });
    await signInAs(page, server.url, PATH);
    await loaded(page);

    const download = page.waitForEvent('download');
    await page.getByTestId('widget-regions').getByTestId('widget-menu').click();
    await page.getByTestId('export-csv').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv).toContain('销售额');
    expect(csv).toMatch(/华东|华南|华北|华中|西部/);

    const total = page.getByTestId('pivot-total').getByTestId('pivot-cell').last();
    await total.waitFor();
    const drill = page.waitForResponse((r) => r.url().includes('/reports/e2e-pivot/run') && r.request().method() === 'POST');
    await total.click();
    const d = (await (await drill).json()) as { count: number };
    // The grand total of the period is every sale of the last 30 days.
    expect(String(d.count)).toBe(ordersOf(await data({}), 'kpi'));
    await page.waitForURL(/\/apps\/crm\/form\/transactions\?filter=/);
    await page.screenshot({ path: join(resultsDir, 'dashboard-pivot-drill.png'), fullPage: true });
  });

  it('stacks the widgets at 375 px', async () => {
    const page = await openPage(browser, 'dashboard-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInAs(page, server.url, PATH);
    await page.getByTestId('dashboard-stack').waitFor();
    await page.getByTestId('kpi-orders').waitFor();
    const boxes = await page.getByTestId('dashboard-stack').locator(':scope > .ant-card').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
    expect(boxes).toHaveLength(7);
    for (let i = 0; i < boxes.length; i++) {
      expect(boxes[i]!.x).toBeGreaterThanOrEqual(0);
      expect(boxes[i]!.x + boxes[i]!.width).toBeLessThanOrEqual(375);
      if (i > 0) expect(boxes[i]!.y).toBeGreaterThan(boxes[i - 1]!.y);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(resultsDir, 'dashboard-phone.png'), fullPage: true });
  });

  it('renders every other dashboard of the template without a widget error', async () => {
    const defs = (await api.call<{ key: string }[]>('GET', '/api/apps/crm/meta/dashboard')).filter((d) => d.key !== 'hq-cockpit' && !d.key.startsWith('e2e-'));
    const page = await openPage(browser, 'dashboard-template');
    await signInAs(page, server.url, '/apps/crm');
    for (const { key } of defs) {
      await page.goto(`${server.url}/apps/crm/dashboard/${key}`);
      await page.getByTestId('dashboard-title').waitFor();
      await eventually(() => page.locator('.ant-skeleton').count(), 20_000).toBe(0);
      expect(await page.getByTestId('widget-error').count(), key).toBe(0);
    }
  });
});
