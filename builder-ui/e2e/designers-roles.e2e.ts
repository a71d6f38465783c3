import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { createInBuilder, publish, signInAt } from './builderHelpers';
import { AdminApi } from './fixture';
import { startCrmServer } from './dashboardsFixture';
import type { TestServer } from './server';

// The role designer, the workflow layout kept in the definition, and
// every designer at a phone's width, on the crm-retail template (without
// demo data: nothing here reads records).

let server: TestServer;
let browser: Browser;
let api: AdminApi;

const MANAGER = 'mgr.zhao';
const MANAGER_PASSWORD = 'Roles-Passw0rd!';
const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** A store-task flow: open, then done. */
const layoutFlow = {
  title: t('任务流转', 'Task flow'),
  form: 'store-tasks',
  initial: 'open',
  states: [
    { key: 'open', label: t('待处理', 'Open') },
    { key: 'done', label: t('已完成', 'Done'), type: 'final' },
  ],
  transitions: [{ trigger: 'finish', from: 'open', to: 'done', label: t('完成', 'Finish') }],
};

beforeAll(async () => {
  server = await startCrmServer(0);
  api = await AdminApi.connect(server.url);
  await api.call('POST', '/api/users', { username: MANAGER, displayName: '赵店长', password: MANAGER_PASSWORD, roles: [{ app: 'crm', role: 'store-manager' }] });
  await api.define('crm', 'flow', 'e2e-layout', layoutFlow);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Calls the API as the store manager (a bearer token of their own); returns the status. */
async function asManager(path: string): Promise<number> {
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: MANAGER, password: MANAGER_PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(server.url + path, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}


/** Picks an option, by its title, in the select list that is open. */
async function pickOption(page: Page, title: string): Promise<void> {
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().getByTitle(title, { exact: true }).click();
}

/** Where React Flow draws a node: its translate(x, y) on the canvas. */
async function nodePosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  const style = await page.locator(`.react-flow__node[data-id="${id}"]`).getAttribute('style');
  const m = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(style ?? '');
  if (!m) throw new Error(`node ${id} has no position: ${style}`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

describe('the role designer', () => {
  it('revokes and grants rights in the matrix, publishes, and the store manager feels it at once', async () => {
    // As shipped: the manager exports members, may not create campaigns, and cannot open the app.
    expect(await asManager('/api/apps/crm/forms/members/export?format=csv')).toBe(200);
    expect(await asManager('/api/apps/crm/meta/app/crm')).toBe(403);

    const page = await openPage(browser, 'role-designer', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder');
    await page.getByRole('tab', { name: /角色与权限/ }).click();
    await page.getByTestId('defs-role').getByRole('link', { name: '店长' }).click();
    await page.waitForURL(/\/builder\/role\/store-manager$/);

    const exportBox = page.getByTestId('right-form-members-export');
    await expect.poll(() => exportBox.isChecked()).toBe(true);
    await exportBox.uncheck();
    await page.getByTestId('right-form-campaigns-create').check();
    // The row scope of members reads back as "my unit" by its org-unit field.
    await expect.poll(() => page.getByTestId('scope-members').textContent()).toContain('本组织');
    await page.getByRole('tab', { name: /^应用/ }).click();
    await page.getByTestId('right-app-crm-read').check();
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toMatch(/未保存/);
    await page.getByRole('tab', { name: /^表单/ }).click();
    await page.getByTestId('matrix-form').locator('tr[data-row-key="members"] .ant-table-row-expand-icon').click();
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'role-designer.png'), fullPage: true });
    await publish(page);

    const role = await api.call<{ spec: { permissions: { kind: string; key: string; actions: string[] }[] } }>('GET', '/api/apps/crm/meta/role/store-manager?status=published');
    const grant = (kind: string, key: string) => role.spec.permissions.find((p) => p.kind === kind && p.key === key)?.actions;
    expect(grant('form', 'members')).toEqual(['read', 'update']);
    expect(grant('form', 'campaigns')).toEqual(['read', 'create']);
    expect(grant('app', 'crm')).toEqual(['read']);

    // Export is refused now; the app and the campaign "new" button appear for the manager.
    expect(await asManager('/api/apps/crm/forms/members/export?format=csv')).toBe(403);
    const mgr = await openPage(browser, 'role-manager');
    await mgr.goto(`${server.url}/apps/crm/form/campaigns`);
    await mgr.waitForURL(/\/sign-in/);
    await mgr.getByLabel('用户名').fill(MANAGER);
    await mgr.getByLabel('密码').fill(MANAGER_PASSWORD);
    await mgr.getByTestId('sign-in-submit').click();
    await mgr.waitForURL((u) => u.pathname === '/apps/crm/form/campaigns');
    await mgr.getByTestId('new-record').waitFor();
  });

  it('creates a role in the builder and grants reading every form to it', async () => {
    const page = await openPage(browser, 'role-new', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder');
    await page.getByRole('tab', { name: /角色与权限/ }).click();
    await createInBuilder(page, '角色与权限', 'auditor', '审计');
    await page.getByTestId('right-form-*-read').check();
    await page.getByTestId('right-form-*-export').check();
    await publish(page);
    const role = await api.call<{ spec: { title: unknown; permissions: unknown[] } }>('GET', '/api/apps/crm/meta/role/auditor?status=published');
    expect(role.spec).toEqual({ title: { 'zh-CN': '审计' }, permissions: [{ kind: 'form', key: '*', actions: ['read', 'export'] }] });
  });

  it('edits field rules and a row scope of a form, and the server keeps them', async () => {
    const page = await openPage(browser, 'role-fields', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/role/region-manager');
    await page.getByTestId('matrix-form').locator('tr[data-row-key="members"] .ant-table-row-expand-icon').click();
    const details = page.getByTestId('row-details-members');
    await details.waitFor();
    // Phone masked 3*4 → masked 1*1, and the tier field read-only.
    const phone = details.getByTestId('field-rule-phone');
    await phone.getByLabel(/的掩码/).fill('1*1');
    await details.getByTestId('field-rule-tier').locator('.ant-select').click();
    await pickOption(page, '只读');
    // The scope: from "my unit and below" to "my unit".
    await details.getByTestId('scope-members').click();
    await pickOption(page, '本组织（本店）');
    await publish(page);
    const role = await api.call<{ spec: { permissions: { kind: string; key: string; scope?: unknown; fields?: unknown }[] } }>('GET', '/api/apps/crm/meta/role/region-manager?status=published');
    const members = role.spec.permissions.find((p) => p.kind === 'form' && p.key === 'members')!;
    expect(members.scope).toEqual({ homeUnit: '$user.unit' });
    expect(members.fields).toEqual({ phone: { rule: 'masked', mask: '1*1' }, unionid: 'hidden', tier: 'readonly' });
  });
});

describe('the navigation designer', () => {
  it('limits a menu item to roles picked from the app by title', async () => {
    const page = await openPage(browser, 'nav-roles', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, '/apps/crm/builder/app/crm');
    await page.getByTestId('nav-item-transactions').click();
    await page.getByTestId('item-roles').click();
    await pickOption(page, '区域经理 (region-manager)');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('nav-item-transactions').textContent()).toContain('region-manager');
    await publish(page);
    const app = await api.call<{ spec: { navigation: { key: string; roles?: string[] }[] } }>('GET', '/api/apps/crm/meta/app/crm?status=published');
    expect(app.spec.navigation.find((n) => n.key === 'transactions')?.roles).toEqual(['region-manager']);
  });
});

describe('the workflow layout', () => {
  it('keeps a moved state in the definition: another browser draws it in the same place', async () => {
    const path = '/apps/crm/builder/flow/e2e-layout';
    const page = await openPage(browser, 'flow-layout', { viewport: { width: 1440, height: 1000 } });
    await signInAt(page, server.url, path);
    const node = page.locator('.react-flow__node[data-id="done"]');
    await node.waitFor();
    const before = await nodePosition(page, 'done');
    const box = (await node.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 20, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2 + 90, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toMatch(/未保存/);
    const moved = await nodePosition(page, 'done');
    // The move is an edit like any other: undone and redone.
    await page.getByTestId('undo').click();
    await expect.poll(() => nodePosition(page, 'done')).toEqual(before);
    await page.getByTestId('redo').click();
    await expect.poll(() => nodePosition(page, 'done')).toEqual(moved);
    await publish(page);

    const flow = await api.call<{ spec: { layout?: Record<string, { x: number; y: number }> } }>('GET', '/api/apps/crm/meta/flow/e2e-layout?status=published');
    const saved = flow.spec.layout?.done;
    expect(saved).toBeDefined();
    expect(saved!.x).toBeGreaterThan(before.x + 100);
    expect(saved!.y).toBeGreaterThan(before.y + 50);

    // A fresh context: no local storage, the same drawing.
    const other = await openPage(browser, 'flow-layout-again', { viewport: { width: 1440, height: 1000 } });
    await signInAt(other, server.url, path);
    await other.locator('.react-flow__node[data-id="done"]').waitFor();
    expect(await nodePosition(other, 'done')).toEqual(saved);
  });
});

/**
 * Opens each page at 375 px (a phone), saves a screenshot, and returns the
 * pages wider than the screen with their width.
 */
async function overflowing(name: string, pages: [string, string, ((page: Page) => Promise<void>)?][]): Promise<string[]> {
  const page = await openPage(browser, name, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  await signInAt(page, server.url, '/apps/crm/builder');
  mkdirSync(resultsDir, { recursive: true });
  const wide: string[] = [];
  for (const [what, path, then] of pages) {
    await page.goto(server.url + path);
    await page.getByTestId(what === 'home' ? 'defs-form' : 'designer-title').waitFor();
    await then?.(page);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(resultsDir, `phone-${what}.png`), fullPage: true });
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    if (width > 375) wide.push(`${what}: ${width}px`);
    // A column squeezed beside a fixed one fits the width but is unusable:
    // no card (outside a dashboard's grid) may be narrower than 160 px.
    const squeezed = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.ant-card'))
        .filter((c) => c.offsetParent !== null && !c.closest('.react-grid-item'))
        .map((c) => Math.round(c.getBoundingClientRect().width))
        .filter((w) => w < 160),
    );
    if (squeezed.length > 0) wide.push(`${what}: cards ${squeezed.join(', ')}px wide`);
  }
  return wide;
}

describe('the designers on a phone', () => {
  it('fit 375 px without scrolling the page sideways', async () => {
    const wide = await overflowing('designers-phone', [
      ['home', '/apps/crm/builder'],
      ['form', '/apps/crm/builder/form/members'],
      ['flow', '/apps/crm/builder/flow/e2e-layout'],
      // A state's properties under the graph, and a transition's.
      ['flow-state', '/apps/crm/builder/flow/e2e-layout', (p) => p.locator('.react-flow__node[data-id="open"]').click()],
      ['flow-transition', '/apps/crm/builder/flow/e2e-layout', (p) => p.locator('.react-flow__edge').first().click({ force: true })],
      ['rule', '/apps/crm/builder/rule/points-earn'],
      ['rule-cell', '/apps/crm/builder/rule/points-earn', (p) => p.locator('[data-testid^="cell-0-"]').first().click()],
      // The grid keeps a desktop's width and scrolls inside itself.
      ['dashboard', '/apps/crm/builder/dashboard/hq-cockpit', async (p) => expect((await p.getByTestId('dashboard-canvas').boundingBox())!.width).toBeGreaterThanOrEqual(720)],
      ['automation', '/apps/crm/builder/automation/birthday-gift'],
      ['navigation', '/apps/crm/builder/app/crm'],
      ['role', '/apps/crm/builder/role/store-manager'],
      // A form's scope and field rules opened in the matrix.
      ['role-details', '/apps/crm/builder/role/store-manager', (p) => p.getByTestId('matrix-form').locator('tr[data-row-key="members"] .ant-table-row-expand-icon').click()],
      ['navigation-item', '/apps/crm/builder/app/crm', (p) => p.getByTestId('nav-item-transactions').click()],
    ]);
    expect(wide).toEqual([]);
  }, 240_000);

  it('opens the form palette and the new field properties as drawers on a phone', async () => {
    const page = await openPage(browser, 'form-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInAt(page, server.url, '/apps/crm/builder/form/store-tasks');
    await page.getByTestId('open-palette').click();
    await page.getByTestId('palette').waitFor();
    await page.getByRole('button', { name: '添加单行文本', exact: true }).click();
    await page.getByTestId('properties').waitFor();
    await expect.poll(() => page.getByTestId('designer-status').textContent()).toMatch(/未保存/);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(375);
    // Each type's settings fit the drawer: a relation, a formula with its editor.
    for (const type of ['关联记录', '公式']) {
      await page.locator('.ant-drawer-open .ant-drawer-close').click();
      await page.getByTestId('open-palette').click();
      await page.getByRole('button', { name: `添加${type}`, exact: true }).click();
      const body = page.locator('.ant-drawer-open .ant-drawer-body', { has: page.getByTestId('properties') });
      await body.waitFor();
      await page.waitForTimeout(300);
      const [scroll, client] = await body.evaluate((el) => [el.scrollWidth, el.clientWidth]);
      expect(scroll, `${type} settings`).toBeLessThanOrEqual(client);
    }
  });

  it('opens the versions and the diff of a definition inside the screen', async () => {
    const page = await openPage(browser, 'drawers-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInAt(page, server.url, '/apps/crm/builder/role/cashier');
    for (const open of ['versions-open', 'diff-open']) {
      await page.getByTestId(open).click();
      const drawer = page.locator('.ant-drawer-open .ant-drawer-content-wrapper');
      await drawer.waitFor();
      await expect.poll(async () => (await drawer.boundingBox())?.x).toBe(0);
      expect((await drawer.boundingBox())!.width).toBeLessThanOrEqual(375);
      await page.locator('.ant-drawer-open .ant-drawer-close').click();
      await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
    }
  });

  // Its own test so that its failure names the designer (report/ has its own owner).
  it('fits the report designer in 375 px', async () => {
    expect(await overflowing('report-phone', [['report', '/apps/crm/builder/report/sales-kpi']])).toEqual([]);
  });
});
