import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage } from './browser';
import { ADMIN_PASSWORD, adminToken, createDefinition, startServer, type TestServer } from './server';

let server: TestServer;
let browser: Browser;

const demoApp = {
  title: { 'zh-CN': '演示应用', en: 'Demo app' },
  description: { 'zh-CN': '浏览器测试用的应用', en: 'An app for the browser tests' },
  icon: 'shop',
  navigation: [
    { key: 'members', title: { 'zh-CN': '会员列表', en: 'Members' }, icon: 'members', target: { kind: 'view', key: 'members' } },
    {
      key: 'reports',
      title: { 'zh-CN': '报表', en: 'Reports' },
      children: [{ key: 'sales', title: { 'zh-CN': '销售报表', en: 'Sales' }, target: { kind: 'report', key: 'sales' } }],
    },
  ],
};

beforeAll(async () => {
  server = await startServer();
  const token = await adminToken(server.url);
  await createDefinition(server.url, token, 'demo', 'app', 'demo', demoApp);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page, password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(server.url + '/');
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(password);
  await page.getByTestId('sign-in-submit').click();
}

describe('the app shell', () => {
  it('serves the UI for client routes and keeps API 404s as problems', async () => {
    const deep = await fetch(`${server.url}/apps/demo/view/members`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    expect(await deep.text()).toContain('<div id="root">');
    const api = await fetch(`${server.url}/api/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect(((await api.json()) as { code: string }).code).toBe('http.not_found');
  });

  it('explains a wrong password in the chosen language', async () => {
    const page = await openPage(browser, 'wrong-password');
    await signIn(page, 'not-the-password');
    const alert = page.getByTestId('sign-in-error');
    await expect.poll(() => alert.textContent()).toContain('用户名或密码错误');
    await page.getByText('English', { exact: true }).click();
    await expect.poll(() => alert.textContent()).toContain('Wrong username or password');
    expect(await page.getByTestId('sign-in-submit').textContent()).toBe('Sign in');
  });

  it('signs in, lists the apps, switches to English and remembers it', async () => {
    const page = await openPage(browser, 'sign-in-and-language');
    await signIn(page);
    const card = page.getByTestId('app-card-demo');
    await card.waitFor();
    expect(await card.textContent()).toContain('演示应用');
    expect(await page.getByRole('heading', { name: '我的应用' }).count()).toBe(1);

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await expect.poll(() => card.textContent()).toContain('Demo app');
    expect(await page.getByRole('heading', { name: 'My apps' }).count()).toBe(1);

    await page.reload();
    await page.getByTestId('app-card-demo').waitFor();
    expect(await page.getByTestId('app-card-demo').textContent()).toContain('Demo app');
    expect(await page.evaluate(() => localStorage.getItem('tangram.locale'))).toBe('en');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await page.getByTestId('app-card-demo').click();
    await page.waitForURL(/\/apps\/demo$/);
    const sider = page.getByTestId('menu-sider');
    await sider.getByText('Members').waitFor();
    await sider.getByText('Sales').click();
    await page.waitForURL(/\/apps\/demo\/report\/sales$/);
    await page.getByText('This does not exist or has been deleted.').waitFor();
  });

  it('puts the menu in a drawer at 375 px', async () => {
    const page = await openPage(browser, 'phone-drawer', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signIn(page);
    await page.getByTestId('app-card-demo').click();
    await page.waitForURL(/\/apps\/demo$/);
    await page.getByTestId('open-menu').waitFor();
    expect(await page.getByTestId('menu-sider').count()).toBe(0);
    const drawer = page.locator('.tg-menu-drawer .ant-drawer-content');
    expect(await drawer.isVisible()).toBe(false);

    await page.getByTestId('open-menu').click();
    await drawer.waitFor({ state: 'visible' });
    const box = await drawer.boundingBox();
    expect(box && box.width <= 375).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await drawer.getByText('会员列表').click();
    await page.waitForURL(/\/apps\/demo\/view\/members$/);
    await drawer.waitFor({ state: 'hidden' });
  });

  it('shows server-side password errors at the right field', async () => {
    const page = await openPage(browser, 'change-password');
    await signIn(page);
    await page.getByTestId('app-card-demo').waitFor();
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: '修改密码' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('当前密码').fill(ADMIN_PASSWORD);
    await dialog.getByLabel('新密码', { exact: true }).fill('short');
    await dialog.getByLabel('确认新密码').fill('short');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    const newPasswordItem = dialog.locator('.ant-form-item').filter({ has: page.getByLabel('新密码', { exact: true }) });
    await expect.poll(() => newPasswordItem.locator('.ant-form-item-explain').textContent()).toContain('至少需要 10 个字符');
  });

  it('signs out back to the sign-in page', async () => {
    const page = await openPage(browser, 'sign-out');
    await signIn(page);
    await page.getByTestId('app-card-demo').waitFor();
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(server.url + '/apps/demo');
    await page.waitForURL(/\/sign-in\?next=%2Fapps%2Fdemo$/);
    await page.getByTestId('sign-in-submit').waitFor();
  });
});
