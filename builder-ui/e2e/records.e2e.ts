import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { AdminApi, installShop } from './fixture';
import { ADMIN_PASSWORD, startServer, type TestServer } from './server';

let server: TestServer;
let browser: Browser;
let members: string[];

beforeAll(async () => {
  server = await startServer();
  const api = await AdminApi.connect(server.url);
  ({ members } = await installShop(api));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Signs in and lands on path. */
async function signedIn(page: Page, path: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in-submit').click();
  await page.waitForURL((u) => u.pathname === path);
}

/** Picks an option of the antd Select labelled label (inside scope). */
async function choose(page: Page, label: string, option: string, scope = page.locator('body')): Promise<void> {
  // A chosen value covers the search input; the click still opens the list.
  await scope.getByLabel(label, { exact: true }).last().click({ force: true });
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().getByTitle(option, { exact: true }).click();
}

const rows = (page: Page) => page.locator('[data-testid="record-table"] tbody tr.ant-table-row');

describe('records in the browser', () => {
  it('opens a view from the menu, pages by cursor and filters with the builder', async () => {
    const page = await openPage(browser, 'list-filter-page');
    await signedIn(page, '/apps/shop');
    await page.getByTestId('menu-sider').getByText('会员列表').click();
    await page.waitForURL(/\/apps\/shop\/view\/members$/);
    await expect.poll(() => rows(page).count()).toBe(20);
    expect(await page.getByTestId('list-title').textContent()).toBe('全部会员');
    // The view sorts by phone: 会员01 first; money in yuan from fen.
    expect(await rows(page).first().textContent()).toContain('会员01');
    expect(await rows(page).first().textContent()).toContain('¥1.50');

    await page.getByTestId('page-next').click();
    await expect.poll(() => rows(page).count()).toBe(5);
    expect(await page.getByTestId('page-number').textContent()).toBe('第 2 页');
    expect(await page.getByTestId('page-next').isDisabled()).toBe(true);
    await page.getByTestId('page-prev').click();
    await expect.poll(() => rows(page).count()).toBe(20);

    await page.getByTestId('filter-toggle').click();
    await page.getByRole('button', { name: /添加条件$/ }).click();
    const cond = page.getByTestId('filter-condition').first();
    await choose(page, '字段', '等级', cond);
    await choose(page, '值', '金卡', cond);
    await expect.poll(() => rows(page).count()).toBe(5);
    for (const text of await rows(page).allTextContents()) expect(text).toContain('金卡');

    // A nested group with a balance of at least ¥25 (typed in yuan, sent as 2500 fen):
    // ANDed with gold nobody matches; switched to "any condition", gold or rich.
    await page.getByRole('button', { name: /添加条件组$/ }).click();
    const group = page.getByTestId('filter-group');
    await choose(page, '字段', '余额', group);
    await choose(page, '条件', '大于等于', group);
    await group.getByLabel('值').fill('25');
    await expect.poll(() => rows(page).count()).toBe(0);
    await page.getByTestId('filter-builder').locator('.ant-segmented').first().getByText('任一条件').click();
    await expect.poll(() => rows(page).count()).toBe(6);
    expect(await rows(page).allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('会员25')]));
  });

  it('creates a record: live conditions, a server error at its field, then saved', async () => {
    const page = await openPage(browser, 'create-record');
    await signedIn(page, '/apps/shop/form/members/new');
    await page.getByLabel('姓名').fill('李雷');
    await page.getByLabel('手机号').fill('12345');
    await page.getByLabel('余额').fill('12.30');
    // 备注 shows only for VIPs (visibleWhen), as the user ticks the box.
    expect(await page.getByTestId('field-note').count()).toBe(0);
    await page.getByLabel('VIP').check();
    await page.getByTestId('field-note').waitFor();
    await page.getByTestId('form-submit').click();
    const phone = page.getByTestId('field-phone').locator('.ant-form-item-explain');
    await expect.poll(() => phone.textContent()).toContain('手机号格式不正确');
    expect(await page.getByTestId('field-name').locator('.ant-form-item-explain').count()).toBe(0);

    await page.getByLabel('手机号').fill('13812345678');
    await expect.poll(() => phone.count()).toBe(0);
    await page.getByTestId('form-submit').click();
    await page.waitForURL(/\/apps\/shop\/form\/members\/records\/[a-z0-9]+$/);
    expect(await page.getByTestId('record-title').textContent()).toBe('李雷');
    expect(await page.getByTestId('value-balance').textContent()).toBe('¥12.30');
  });

  it('keeps a draft on reload', async () => {
    const page = await openPage(browser, 'draft');
    await signedIn(page, '/apps/shop/form/members/new');
    await page.getByLabel('姓名').fill('草稿会员');
    await page.waitForTimeout(400);
    await page.reload();
    await page.getByTestId('draft-restored').waitFor();
    expect(await page.getByLabel('姓名').inputValue()).toBe('草稿会员');
    await page.getByTestId('discard-draft').click();
    expect(await page.getByLabel('姓名').inputValue()).toBe('');
  });

  it('edits a record, shows the change in its history and restores the first revision', async () => {
    const page = await openPage(browser, 'history-restore');
    const id = members[1]!;
    await signedIn(page, `/apps/shop/form/members/records/${id}`);
    expect(await page.getByTestId('record-title').textContent()).toBe('会员02');
    await page.getByTestId('edit-record').click();
    await page.getByLabel('姓名').fill('会员02（改）');
    await page.getByLabel('余额').fill('88');
    await page.getByTestId('form-submit').click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('会员02（改）');
    expect(await page.getByTestId('value-balance').textContent()).toBe('¥88.00');

    await page.getByRole('tab', { name: '修改历史' }).click();
    const rev2 = page.getByTestId('revision-2');
    await rev2.waitFor();
    const text = await rev2.textContent();
    expect(text).toContain('会员02');
    expect(text).toContain('会员02（改）');
    expect(text).toContain('¥2.50');
    expect(text).toContain('¥88.00');
    await page.getByTestId('restore-1').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /确\s*定|OK/ }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('会员02');
    await page.getByTestId('revision-3').waitFor();
    await page.getByRole('tab', { name: '关联记录' }).click();
    await page.getByTestId('related').waitFor();
  });

  it('shows relation paths and related records both ways', async () => {
    const page = await openPage(browser, 'relations');
    await signedIn(page, '/apps/shop/view/orders');
    await expect.poll(() => rows(page).count()).toBe(2);
    // member is a relation (its title), member.phone a path through it.
    const first = rows(page).filter({ hasText: 'SO-001' });
    await expect.poll(() => first.textContent()).toContain('会员01');
    await expect.poll(() => first.textContent()).toContain('13900000001');
    await first.click();
    await page.waitForURL(/\/form\/orders\/records\//);
    await page.getByTestId('record-fields').getByRole('link', { name: '会员01' }).click();
    await page.waitForURL(new RegExp(`/form/members/records/${members[0]}$`));
    // The rollup of the orders' money is money too: ¥100.00 + ¥20.50.
    await expect.poll(() => page.getByTestId('value-spent').textContent()).toBe('¥120.50');
    await page.getByRole('tab', { name: '关联记录' }).click();
    const related = page.getByTestId('related');
    await related.getByText('SO-001').waitFor();
    expect(await related.getByText('SO-002').count()).toBe(1);
  });

  it('imports a CSV with one bad row shown by the dry run, then exports', async () => {
    const page = await openPage(browser, 'import-export', { acceptDownloads: true });
    await signedIn(page, '/apps/shop/view/members');
    await rows(page).first().waitFor();
    const csv = join(resultsDir, 'import-members.csv');
    writeFileSync(csv, '姓名,手机号,等级,余额\n导入一,13700000001,金卡,10\n导入二,123,普通,5\n导入三,13700000003,普通,1.25\n');
    await page.getByRole('button', { name: /^导\s*入$/ }).click();
    await page.getByTestId('import-file').locator('input[type=file]').setInputFiles(csv);
    await page.getByTestId('import-dry-run').click();
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    const errorRows = errors.locator('tbody tr.ant-table-row');
    expect(await errorRows.count()).toBe(1);
    expect(await errorRows.first().textContent()).toContain('3');
    expect(await errorRows.first().textContent()).toContain('手机号格式不正确');
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-result').waitFor();
    expect(await page.getByTestId('import-result').textContent()).toContain('新建 2 条');
    await page.getByTestId('import-close').click();
    await page.getByTestId('list-search').locator('input').fill('导入');
    await expect.poll(() => rows(page).count()).toBe(2);

    await page.getByTestId('export').hover();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await (await download).path();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('姓名');
    expect(text).toContain('导入一');
    expect(text).not.toContain('会员01');
  });

  it('switches to kanban and calendar, and saves the list as my view', async () => {
    const page = await openPage(browser, 'kanban-calendar-views');
    await signedIn(page, '/apps/shop/view/members');
    await rows(page).first().waitFor();
    await page.getByText('看板', { exact: true }).click();
    // Five seeded gold members, and any gold one the other tests imported.
    const gold = page.getByTestId('kanban-column-gold');
    await expect.poll(() => gold.locator('.ant-card').count()).toBeGreaterThanOrEqual(5);
    await gold.getByText('会员01').waitFor();
    const golds = await gold.locator('.ant-card').count();
    await expect.poll(() => page.getByTestId('kanban-column-normal').locator('.ant-card').count()).toBe(20);
    await page.getByText('日历', { exact: true }).click();
    await page.getByTestId('calendar').waitFor();

    await page.getByText('表格', { exact: true }).click();
    await page.getByTestId('filter-toggle').click();
    await page.getByRole('button', { name: /添加条件$/ }).click();
    const cond = page.getByTestId('filter-condition').first();
    await choose(page, '字段', '生日', cond);
    await choose(page, '条件', '本月', cond);
    await expect.poll(() => rows(page).count()).toBe(0);
    await choose(page, '字段', '等级', cond);
    await choose(page, '值', '金卡', cond);
    await expect.poll(() => rows(page).count()).toBe(golds);
    await page.getByTestId('save-view').click();
    await page.getByLabel('视图名称').fill('我的金卡会员');
    await page.getByTestId('save-view-ok').click();
    await page.waitForURL(/\/apps\/shop\/form\/members\?saved=[0-9a-z]+$/);
    // The saved view opens with its filter: the builder's tree came back from the server's per-user store.
    await expect.poll(() => rows(page).count()).toBe(golds);
    await expect.poll(() => page.getByTestId('save-view').textContent()).toContain('保存视图');
    expect(await page.getByTestId('list-title').textContent()).toBe('我的金卡会员');
  });

  it('shows the list as cards at 375 px without sideways scrolling', async () => {
    const page = await openPage(browser, 'phone-list', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signedIn(page, '/apps/shop/view/members');
    const cards = page.getByTestId('record-card');
    await expect.poll(() => cards.count()).toBe(20);
    expect(await page.getByTestId('record-table').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.getByTestId('page-next').click();
    await expect.poll(() => cards.count()).toBeLessThan(20);
    await cards.first().click();
    await page.waitForURL(/\/form\/members\/records\//);
    await page.getByTestId('record-fields').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });
});
