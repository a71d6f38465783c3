import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage } from './browser';
import { eventually, signInAs, startCrmServer } from './dashboardsFixture';
import { AdminApi } from './fixture';
import type { TestServer } from './server';

// The member-analysis dashboard of the crm-retail template: the basket
// pairs table (a pairs report, which cannot be drilled into) and the
// churn-risk list (a record list: each row a member, its id in the
// internal "_record" column, which the table hides and a click opens).

let server: TestServer;
let browser: Browser;
let api: AdminApi;

beforeAll(async () => {
  server = await startCrmServer();
  api = await AdminApi.connect(server.url);
  // The churn list takes members by RFM segment: score them now, as the
  // template's daily automation would at 02:30.
  await api.call('POST', '/api/apps/crm/automations/rfm-daily/rfm-score');
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const PATH = '/apps/crm/dashboard/member-analysis';

interface Result {
  columns: { key: string; label: string }[];
  rows: Record<string, unknown>[];
}
interface Data {
  widgets: { id: string; result?: Result; error?: unknown }[];
}

async function widgetResult(id: string): Promise<Result> {
  const d = await api.call<Data>('GET', '/api/apps/crm/dashboards/member-analysis/data');
  const w = d.widgets.find((x) => x.id === id);
  expect(w?.error, id).toBeUndefined();
  return w!.result!;
}

/** The header texts of a widget's table. */
function headers(page: Page, widget: string): Promise<string[]> {
  return page.getByTestId(`widget-${widget}`).locator('.ant-table-thead th').allInnerTexts();
}

describe('member-analysis: basket pairs and churn list', () => {
  it('shows the pairs without a drill and the churn list without its record column; a churn row opens the member', async () => {
    const pairs = await widgetResult('basketPairs');
    const churn = await widgetResult('churnRisk');
    expect(pairs.rows.length).toBeGreaterThan(0);
    expect(churn.rows.length).toBeGreaterThan(0);
    expect(churn.columns.map((c) => c.key)).toContain('_record');
    const recordLabel = churn.columns.find((c) => c.key === '_record')!.label;

    const page = await openPage(browser, 'report-pairs');
    await signInAs(page, server.url, PATH);

    // The pairs table: both values of a pair, no record column, rows not clickable.
    const pairsWidget = page.getByTestId('widget-basketPairs');
    await pairsWidget.getByTestId('result-row').first().waitFor();
    const pairHeads = (await headers(page, 'basketPairs')).map((h) => h.trim()).filter((h) => h !== '');
    expect(pairHeads).toEqual(pairs.columns.map((c) => c.label));
    const pairRow = pairsWidget.getByTestId('result-row').first();
    expect(await pairRow.evaluate((el) => getComputedStyle(el).cursor)).not.toBe('pointer');
    await pairRow.click();
    await page.waitForTimeout(500);
    expect(new URL(page.url()).pathname).toBe(PATH);
    expect(await page.locator('.ant-message-error').count()).toBe(0);

    // The churn list: every column but the record id.
    const churnWidget = page.getByTestId('widget-churnRisk');
    await churnWidget.getByTestId('result-row').first().waitFor();
    const churnHeads = (await headers(page, 'churnRisk')).map((h) => h.trim()).filter((h) => h !== '');
    expect(churnHeads).not.toContain(recordLabel);
    expect(churnHeads).toEqual(churn.columns.filter((c) => c.key !== '_record').map((c) => c.label));
    expect(await churnWidget.getByTestId('result-row').count()).toBe(Math.min(20, churn.rows.length));

    // A row opens its member's record page.
    expect(await churnWidget.getByTestId('result-row').first().evaluate((el) => getComputedStyle(el).cursor)).toBe('pointer');
    const id = String(churn.rows[0]!._record);
    await churnWidget.getByTestId('result-row').first().click();
    await page.waitForURL((u) => u.pathname === `/apps/crm/form/members/records/${id}`);
    await eventually(() => page.getByText(String(churn.rows[0]!.name)).first().isVisible()).toBe(true);
  });

  it('designs the pairs report: its sub-table column, the pair measures only, the server’s problem at its field', async () => {
    const page = await openPage(browser, 'report-pairs-designer');
    await signInAs(page, server.url, '/apps/crm/builder/report/basket-pairs');
    await page.getByTestId('report-preview').getByTestId('result-row').first().waitFor();
    expect(await page.getByTestId('report-pairs').getAttribute('aria-checked')).toBe('true');
    // No list switch and no totals beside a pairs dimension (the server refuses them).
    expect(await page.getByTestId('report-list').count()).toBe(0);

    await page.getByTestId('placed-dim:0').click();
    const panel = page.getByTestId('pairs-panel');
    await panel.waitFor();
    expect(await page.getByTestId('pairs-as').inputValue()).toBe('categoryA');
    expect(await page.getByTestId('pairs-with').inputValue()).toBe('categoryB');

    // The second value's output named like the first: the preview's problem shows at that field.
    await page.getByTestId('pairs-with').fill('categoryA');
    await page.getByTestId('problem-dimensions[0].pairs.with').waitFor();
    await page.getByTestId('pairs-with').fill('categoryB');
    await eventually(() => page.getByTestId('problem-dimensions[0].pairs.with').count()).toBe(0);

    // A measure's op offers the pair measures only.
    await page.getByTestId('placed-mea:0').click();
    await page.getByTestId('measure-op').click();
    const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    await open.getByTitle('提升度', { exact: true }).waitFor();
    expect(await open.getByTitle('求和', { exact: true }).count()).toBe(0);
  });
});
