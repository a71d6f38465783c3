import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { choose, drag, publish, signInAt } from './builderHelpers';
import { AdminApi } from './fixture';
import { startCrmServer } from './dashboardsFixture';
import type { TestServer } from './server';

// The view and page designers on the crm-retail template: a list view of
// members built column by column, filtered and published, then opened in
// the runtime; a page's blocks edited and published; both designers at a
// phone's width; the server's problems shown where they belong.

let server: TestServer;
let browser: Browser;
let api: AdminApi;

/** Members of every tier: the view keeps the gold ones. */
const MEMBERS = [
  { name: '金卡甲', phone: '13900000001', tier: 'gold', points: 300 },
  { name: '普通乙', phone: '13900000002', tier: 'normal', points: 50 },
  { name: '钻石丙', phone: '13900000003', tier: 'diamond', points: 900 },
  { name: '金卡丁', phone: '13900000004', tier: 'gold', points: 700 },
];

beforeAll(async () => {
  server = await startCrmServer(0);
  api = await AdminApi.connect(server.url);
  await api.bulkCreate('crm', 'members', MEMBERS);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});


/** Picks an option of a searchable select labelled label (inside scope) by typing part of it. */
async function search(page: Page, scope: Locator, label: string, typed: string, option: string): Promise<void> {
  await scope.locator('.ant-select', { has: page.getByLabel(label, { exact: true }) }).last().click();
  await page.keyboard.type(typed);
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().getByTitle(option, { exact: true }).click();
}

/** The text of a list's column headers, in order. */
function headers(page: Page): Promise<string[]> {
  return page.locator('[data-testid="record-table"] .ant-table-thead th').evaluateAll((ths) => ths.map((th) => th.textContent?.trim() ?? '').filter((s) => s !== ''));
}

describe('the view designer', () => {
  it('builds a members view with reordered columns and a filter; the runtime lists only matching rows in those columns', async () => {
    const page = await openPage(browser, 'view-designer', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder');
    // The builder home lists views and creates one (the open tab picks the kind).
    await page.getByRole('tab', { name: /^列表视图/ }).click();
    await page.getByTestId('defs-view').getByText('金卡及以上会员').waitFor();
    await page.getByTestId('new-definition').click();
    const dialog = page.locator('.ant-modal');
    await page.getByTestId('new-key').fill('gold-members');
    await page.getByTestId('new-title').fill('金卡会员');
    await choose(page, dialog, '数据表单', '会员 (members)');
    await page.getByTestId('new-ok').click();
    await page.waitForURL(/\/builder\/view\/gold-members$/);

    const columns = page.getByTestId('view-columns');
    // One at a time: each column is in the list before the picker opens
    // again (a click on the list still closing would pick nothing).
    for (const [label, key] of [['姓名', 'name'], ['积分', 'points'], ['会员等级', 'tier']] as const) {
      await choose(page, columns, '添加列…', label);
      await page.getByTestId(`view-column-${key}`).waitFor();
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'detached' }).catch(() => undefined);
    }
    // 会员等级 dragged onto 积分: name, tier, points.
    await drag(page, page.getByTestId('column-handle-tier'), page.getByTestId('view-column-points'));
    await expect.poll(() => columns.locator('[data-testid^="view-column-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual(['view-column-name', 'view-column-tier', 'view-column-points']);
    await page.getByTestId('view-column-name').getByLabel('列宽').fill('160');
    // The points column gets a title of its own.
    await page.getByTestId('view-column-points').getByRole('button', { name: '列标题（留空用字段名）' }).click();
    await page.locator('.ant-popover:not(.ant-popover-hidden)').getByLabel('列标题（留空用字段名） (中文)').fill('当前积分');
    await page.keyboard.press('Escape');

    const filter = page.getByTestId('view-filter');
    await filter.getByRole('button', { name: /添加条件$/ }).click();
    const cond = filter.getByTestId('filter-condition').first();
    await search(page, cond, '字段', '会员等级', '会员等级');
    await choose(page, cond, '值', '金卡');
    await page.getByTestId('view-add-sort').click();
    await search(page, page.getByTestId('view-sort'), '排序字段', '积分', '积分');
    await choose(page, page.getByTestId('view-sort'), '方向', '降序');

    // The preview lists the draft's rows: gold members, most points first.
    const preview = page.getByTestId('view-preview').locator('.ant-table-tbody tr.ant-table-row');
    await expect.poll(() => preview.allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('金卡丁'), expect.stringContaining('金卡甲')]);

    await publish(page);
    const stored = await api.call<{ spec: { columns: { field: string; width?: number }[]; filter: unknown; sort: string } }>('GET', '/api/apps/crm/meta/view/gold-members?status=published');
    expect(stored.spec.columns).toEqual([{ field: 'name', width: 160 }, { field: 'tier' }, { field: 'points', label: { 'zh-CN': '当前积分' } }]);
    expect(stored.spec.filter).toEqual({ tier: { $eq: 'gold' } });
    expect(stored.spec.sort).toBe('-points');

    await page.goto(`${server.url}/apps/crm/view/gold-members`);
    await page.getByTestId('list-title').filter({ hasText: '金卡会员' }).waitFor();
    const rows = page.locator('[data-testid="record-table"] .ant-table-tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await headers(page)).toEqual(['姓名', '会员等级', '当前积分']);
    expect(await rows.allTextContents()).toEqual([expect.stringContaining('金卡丁'), expect.stringContaining('金卡甲')]);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'view-designer-runtime.png'), fullPage: true });
  });

  it('shows the server\'s problem at the setting it names', async () => {
    const page = await openPage(browser, 'view-designer-422', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/view/members-all');
    // A view without a title: the schema refuses it, at "title".
    await page.getByTestId('view-settings').getByLabel('名称 (中文)').fill('');
    await page.getByTestId('view-settings').getByLabel('名称 (English)').fill('');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('view-settings').getByTestId('problem-title').waitFor();
    expect(await page.getByTestId('server-problems').textContent()).toContain('title');
  });
});

describe('the page designer', () => {
  it('edits a page\'s blocks, previews them and publishes; the runtime draws the new blocks in order', async () => {
    const page = await openPage(browser, 'page-designer', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder');
    await page.getByRole('tab', { name: /^页面/ }).click();
    await page.getByTestId('defs-page').getByRole('link', { name: '总部首页' }).click();
    await page.waitForURL(/\/builder\/page\/hq-home$/);

    // The intro, two lists; the second list goes, a text block comes first.
    await page.getByTestId('block-row-2').waitFor();
    await page.getByTestId('block-remove-2').click();
    await page.getByTestId('add-block').click();
    await page.getByTestId('add-block-text').click();
    const props = page.getByTestId('block-properties');
    await props.getByTestId('block-markdown-2').fill('## 本周重点\n- 金卡会员回访\n- 双倍积分日');
    await props.getByLabel('区块标题 (中文)').fill('本周');
    await drag(page, page.getByTestId('block-handle-2:text1'), page.getByTestId('block-row-0'));
    await expect.poll(() => page.getByTestId('page-block-list').locator('[data-testid^="block-row-"] .ant-tag').allTextContents()).toEqual(['文字', '文字', '列表视图']);
    // A KPI card: the member report, half the width.
    await page.getByTestId('add-block').click();
    await page.getByTestId('add-block-report').click();
    await search(page, props, '报表 / 指标卡', '会员资产', '会员资产');
    await props.getByLabel('宽度（共 24 格）').fill('12');
    await page.getByTestId('page-title-zh').fill('总部工作台');
    await choose(page, page.locator('body'), '图标', 'dashboard');

    // The preview draws the blocks as the page shows them, the list with its rows.
    const preview = page.getByTestId('page-blocks');
    await preview.getByTestId('page-block-text1').getByRole('heading', { name: '本周重点' }).waitFor();
    await expect.poll(() => preview.getByTestId('page-block-text1').locator('li').allTextContents()).toEqual(['金卡会员回访', '双倍积分日']);
    await expect.poll(() => preview.getByTestId('page-view-members-vip').locator('.ant-table-tbody tr.ant-table-row').count(), { timeout: 10_000 }).toBe(3);
    await preview.getByTestId('page-report-member-kpi').waitFor();
    expect((await preview.getByTestId('page-block-report1').boundingBox())!.width).toBeLessThan((await preview.boundingBox())!.width * 0.6);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'page-designer-preview.png'), fullPage: true });

    await publish(page);
    const stored = await api.call<{ version: number; spec: { title: unknown; icon: string; blocks: { id: string; type: string }[] } }>('GET', '/api/apps/crm/meta/page/hq-home?status=published');
    expect(stored.spec.blocks.map((b) => `${b.type}:${b.id}`)).toEqual(['text:text1', 'text:intro', 'view:vip', 'report:report1']);
    expect(stored.spec.icon).toBe('dashboard');

    await page.goto(`${server.url}/apps/crm/page/hq-home`);
    // The runtime draws the published blocks in their new order.
    const screen = page.getByTestId('page-screen');
    await screen.getByRole('heading', { name: '总部工作台' }).waitFor();
    await expect.poll(() => screen.getByTestId('page-block-text1').locator('li').allTextContents()).toEqual(['金卡会员回访', '双倍积分日']);
    await expect.poll(() => screen.getByTestId('page-view-members-vip').locator('.ant-table-tbody tr.ant-table-row').count(), { timeout: 10_000 }).toBe(3);
    await screen.getByTestId('page-report-member-kpi').waitFor();
    const order = await screen.locator('[data-testid^="page-block-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order).toEqual(['page-block-text1', 'page-block-intro', 'page-block-vip', 'page-block-report1']);
  });

  it('refuses a block whose id repeats, at the block', async () => {
    const page = await openPage(browser, 'page-designer-dup', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/page/store-home');
    await page.getByTestId('block-row-1').click();
    await page.getByTestId('block-properties').getByLabel('区块 ID').fill('sales');
    await page.getByTestId('block-problems-1').filter({ hasText: 'sales' }).waitFor();
    await page.getByTestId('publish').click();
    // Publishing waits for the problem to be fixed.
    await expect.poll(() => page.locator('.ant-popconfirm:not(.ant-popover-hidden)').getByTestId('publish-confirm').isDisabled()).toBe(true);
    // Saved as a draft anyway, the server names the same block.
    await page.keyboard.press('Escape');
    await page.getByTestId('save-draft').click();
    await expect.poll(() => page.getByTestId('server-problems').textContent()).toContain('blocks[1].id');
  });
});

describe('the view and page designers on a phone', () => {
  it('fit 375 px without scrolling the page sideways', async () => {
    const page = await openPage(browser, 'view-page-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInAt(page, server.url, '/apps/crm/builder');
    mkdirSync(resultsDir, { recursive: true });
    const wide: string[] = [];
    for (const [what, path] of [
      ['view', '/apps/crm/builder/view/members-vip'],
      ['page', '/apps/crm/builder/page/store-home'],
    ] as const) {
      await page.goto(server.url + path);
      await page.getByTestId('designer-title').waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(resultsDir, `phone-${what}-designer.png`), fullPage: true });
      const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
      if (width > 375) wide.push(`${what}: ${width}px`);
    }
    // A block's settings open in a drawer that fits the screen.
    await page.getByTestId('block-row-0').click();
    const drawer = page.locator('.ant-drawer-content-wrapper').last();
    await drawer.getByTestId('block-properties').waitFor();
    expect(Math.round((await drawer.boundingBox())!.width)).toBeLessThanOrEqual(375);
    expect(wide).toEqual([]);
  });
});
