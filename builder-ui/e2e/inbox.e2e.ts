import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { launch, openPage, resultsDir } from './browser';
import { eventually, signInAs, startCrmServer } from './dashboardsFixture';
import { AdminApi } from './fixture';
import { installUpgrades, USER_PASSWORD } from './inboxFixture';
import type { TestServer } from './server';

let server: TestServer;
let browser: Browser;
let api: AdminApi;
let clerk: string;

beforeAll(async () => {
  server = await startCrmServer();
  api = await AdminApi.connect(server.url);
  ({ clerk } = await installUpgrades(api));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Calls the API as one of the test users (a bearer token of their own). */
async function asUser(username: string): Promise<(method: string, path: string, body?: unknown) => Promise<unknown>> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: USER_PASSWORD }),
  });
  const { token } = (await res.json()) as { token: string };
  return async (method, path, body) => {
    const r = await fetch(server.url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
}

/** A request the clerk files and submits through the API; returns its id. */
async function submitted(title: string): Promise<string> {
  const call = await asUser('clerk.li');
  const rec = (await call('POST', '/api/apps/crm/forms/upgrades/records', { title })) as { _id: string };
  await call('POST', `/api/apps/crm/forms/upgrades/records/${rec._id}/transitions/submit`, { comment: '请审批' });
  return rec._id;
}

const rows = (page: Page) => page.getByTestId('task-row');
const count = (page: Page, key: string) => page.getByTestId(`count-${key}`).locator('.ant-statistic-content-value');

describe('workflow and inbox in the browser', () => {
  it('a clerk submits from the record page; the manager approves from the inbox; the clerk sees the outcome', async () => {
    const page = await openPage(browser, 'inbox-approve-clerk');
    await signInAs(page, server.url, '/apps/crm/form/upgrades/new', 'clerk.li', USER_PASSWORD);
    await page.getByLabel('申请事项').fill('张三升级金卡');
    await page.getByLabel('理由').fill('近一年消费满 2 万元');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(/\/apps\/crm\/form\/upgrades\/records\/[a-z0-9]+$/);
    const recordUrl = page.url();

    // The workflow panel comes first: not started, with the submit button.
    const state = page.getByTestId('workflow-state');
    await eventually(() => state.textContent()).toBe('未开始');
    await page.getByTestId('transition-submit').click();
    await page.getByTestId('decision-comment').fill('请店长审批');
    // A file goes through the form's attachment field, with the comment.
    const dialog = page.locator('.ant-modal');
    await dialog.locator('input[type=file]').setInputFiles({ name: '消费记录.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%receipts\n') });
    await dialog.locator('.ant-upload-list-item-done').waitFor();
    await page.getByTestId('decision-submit').click();
    await eventually(() => state.textContent()).toBe('店长审批');
    const approval = page.getByTestId('approval-card');
    expect(await approval.textContent()).toContain('王店长');
    expect(await approval.textContent()).toContain('第 1 / 1 步');
    // The clerk may withdraw but not decide.
    expect(await page.getByTestId('approval-withdraw').count()).toBe(1);
    expect(await page.getByTestId('approval-approve').count()).toBe(0);
    await page.getByTestId('timeline-transition').waitFor();
    expect(await page.getByTestId('workflow-timeline').textContent()).toContain('请店长审批');
    expect(await page.getByTestId('workflow-timeline').getByRole('link', { name: /附件 1/ }).count()).toBe(1);
    await page.screenshot({ path: join(resultsDir, 'workflow-submitted.png'), fullPage: true });

    const mgr = await openPage(browser, 'inbox-approve-manager');
    await signInAs(mgr, server.url, '/apps/crm', 'manager.wang', USER_PASSWORD);
    const badge = mgr.getByTestId('inbox-badge');
    await eventually(() => badge.getAttribute('data-count')).toBe('1');
    await mgr.getByTestId('inbox-link').click();
    await mgr.waitForURL(/\/apps\/crm\/inbox$/);
    await eventually(() => count(mgr, 'pending').textContent()).toBe('1');
    expect(await count(mgr, 'done').textContent()).toBe('0');
    await eventually(() => rows(mgr).count()).toBe(1);
    const row = rows(mgr).first();
    expect(await row.textContent()).toContain('张三升级金卡');
    expect(await row.textContent()).toContain('会员升级申请');
    expect(await row.textContent()).toContain('李店员');
    // Sixteen working hours ahead: a deadline, not overdue.
    expect(await row.getByTestId('due-tag').getAttribute('data-due')).not.toBe('overdue');

    await mgr.screenshot({ path: join(resultsDir, 'inbox-pending.png'), fullPage: true });
    await row.getByTestId('task-approve').click();
    await mgr.getByTestId('decision-comment').fill('同意，资料齐全');
    await mgr.getByTestId('decision-submit').click();
    await eventually(() => count(mgr, 'pending').textContent()).toBe('0');
    expect(await count(mgr, 'done').textContent()).toBe('1');
    await eventually(() => badge.getAttribute('data-count')).toBe('0');
    await eventually(() => rows(mgr).count()).toBe(0);
    await mgr.getByTestId('count-done').click();
    await eventually(() => rows(mgr).count()).toBe(1);
    expect(await rows(mgr).first().textContent()).toContain('已同意');

    await page.goto(recordUrl);
    await eventually(() => state.textContent()).toBe('已通过');
    await page.getByTestId('timeline-approve').waitFor();
    const timeline = await page.getByTestId('workflow-timeline').textContent();
    expect(timeline).toContain('王店长 同意');
    expect(timeline).toContain('同意，资料齐全');
    await page.screenshot({ path: join(resultsDir, 'workflow-approved.png'), fullPage: true });
  });

  it('returns a request to its draft with a reason, delegates one and rejects another, from the inbox', async () => {
    const back = await submitted('退回的申请');
    const no = await submitted('拒绝的申请');
    const passed = await submitted('转交的申请');
    const mgr = await openPage(browser, 'inbox-return-reject');
    await signInAs(mgr, server.url, '/inbox', 'manager.wang', USER_PASSWORD);
    await eventually(() => rows(mgr).count()).toBe(3);

    // Delegate: the people the workflow names and the store's colleagues from the user directory are offered.
    await rows(mgr).filter({ hasText: '转交的申请' }).getByTestId('task-more').click();
    await mgr.getByRole('menuitem', { name: '转交' }).click();
    await mgr.getByTestId('user-picker').click();
    await mgr.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTitle('李店员', { exact: true }).click();
    await mgr.getByTestId('decision-submit').click();
    await eventually(() => rows(mgr).count()).toBe(2);

    await rows(mgr).filter({ hasText: '退回的申请' }).getByTestId('task-more').click();
    await mgr.getByRole('menuitem', { name: '退回' }).click();
    await mgr.getByTestId('decision-comment').fill('缺少消费记录');
    await mgr.getByTestId('decision-submit').click();
    await eventually(() => rows(mgr).count()).toBe(1);

    // A reject needs no comment; the dialog still asks for confirmation.
    await rows(mgr).first().getByTestId('task-reject').click();
    await mgr.getByTestId('decision-submit').click();
    await eventually(() => rows(mgr).count()).toBe(0);

    const call = await asUser('clerk.li');
    const vb = (await call('GET', `/api/apps/crm/forms/upgrades/records/${back}/workflow`)) as { state: string; timeline: { kind: string; comment?: string }[] };
    expect(vb.state).toBe('draft');
    expect(vb.timeline.find((e) => e.kind === 'return')?.comment).toBe('缺少消费记录');
    const vn = (await call('GET', `/api/apps/crm/forms/upgrades/records/${no}/workflow`)) as { state: string };
    expect(vn.state).toBe('rejected');
    // The delegated task now waits in the clerk's inbox, with its deadline carried over.
    const inbox = (await call('GET', '/api/tasks')) as { tasks: { record: string; delegatedFrom?: string; dueAt?: string }[]; counts: { pending: number } };
    expect(inbox.counts.pending).toBe(1);
    expect(inbox.tasks[0]?.record).toBe(passed);
    expect(inbox.tasks[0]?.dueAt).toBeTruthy();
    expect(clerk).toBeTruthy();
    await mgr.screenshot({ path: join(resultsDir, 'inbox-decided.png'), fullPage: true });
  });

  it('shows tasks as cards with their actions at 375 px', async () => {
    await submitted('手机上审批');
    const mgr = await openPage(browser, 'inbox-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInAs(mgr, server.url, '/inbox', 'manager.wang', USER_PASSWORD);
    await eventually(() => rows(mgr).count()).toBe(1);
    const card = rows(mgr).first();
    const box = await card.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    expect(await mgr.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await card.getByTestId('task-approve').click();
    await mgr.getByTestId('decision-submit').click();
    await eventually(() => rows(mgr).count()).toBe(0);
    await mgr.screenshot({ path: join(resultsDir, 'inbox-phone.png') });
  });
});
