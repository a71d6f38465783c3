import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ADMIN_PASSWORD } from './server';

type Cookies = Awaited<ReturnType<ReturnType<Page['context']>['cookies']>>;

/** The administrator's session cookies per server, after the first sign-in. */
const adminSessions = new Map<string, Cookies>();

/**
 * Signs in on the sign-in page the UI sends an unauthenticated visitor to,
 * and lands on path. Later pages on the same server reuse that session:
 * the server allows ten sign-ins per user a minute, and a file of designer
 * tests opens more pages than that.
 */
export async function signInAt(page: Page, url: string, path: string): Promise<void> {
  const saved = adminSessions.get(url);
  if (saved) {
    await page.context().addCookies(saved);
    await page.goto(`${url}${path}`);
    await page.waitForURL((u) => u.pathname === path);
    return;
  }
  await page.goto(`${url}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(ADMIN_PASSWORD);
  await page.getByTestId('sign-in-submit').click();
  await page.waitForURL((u) => u.pathname === path);
  adminSessions.set(url, await page.context().cookies());
}

/**
 * Drags from one element to another with real mouse events: press, move in
 * steps (past the sensors' activation distance), release: on the target's
 * centre, or 8 px above its bottom edge.
 */
export async function drag(page: Page, from: Locator, to: Locator, where: 'center' | 'bottom' = 'center'): Promise<void> {
  await from.scrollIntoViewIfNeeded();
  const a = await from.boundingBox();
  if (!a) throw new Error('drag source is not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 3 });
  const b = await to.boundingBox();
  if (!b) throw new Error('drop target is not visible');
  await page.mouse.move(b.x + b.width / 2, where === 'bottom' ? b.y + b.height - 8 : b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Picks an option of the antd Select labelled label (inside scope). */
export async function choose(page: Page, scope: Locator, label: string, option: string): Promise<void> {
  await scope.locator('.ant-select', { has: page.getByLabel(label, { exact: true }) }).last().click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().getByTitle(option, { exact: true }).click();
}

/** Confirms the open popconfirm. */
export async function confirmPop(page: Page, testId?: string): Promise<void> {
  const pop = page.locator('.ant-popconfirm:not(.ant-popover-hidden)').last();
  if (testId) await pop.getByTestId(testId).click();
  else await pop.getByRole('button', { name: /确\s*定|OK/ }).click();
}

/** Creates a definition from the builder's start page ("新建") and waits for its designer. */
export async function createInBuilder(page: Page, kind: string, key: string, title: string, form?: string): Promise<void> {
  await page.getByTestId('new-definition').click();
  const dialog = page.locator('.ant-modal');
  await choose(page, dialog, '类型', kind);
  await page.getByTestId('new-key').fill(key);
  await page.getByTestId('new-title').fill(title);
  if (form) await choose(page, dialog, '数据表单', form);
  await page.getByTestId('new-ok').click();
  await page.waitForURL(new RegExp(`/builder/[a-z]+/${key}$`));
}

/** Publishes the open designer and waits until it shows the published revision. */
export async function publish(page: Page): Promise<void> {
  await page.getByTestId('publish').click();
  await confirmPop(page, 'publish-confirm');
  await expect.poll(() => page.getByTestId('designer-status').textContent(), { timeout: 15_000 }).toMatch(/已发布/);
}
