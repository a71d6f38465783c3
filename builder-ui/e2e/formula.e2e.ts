import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openPage, resultsDir } from './browser';
import { drag, signInAt } from './builderHelpers';
import { startCrmServer } from './dashboardsFixture';
import { AdminApi } from './fixture';
import type { TestServer } from './server';

let server: TestServer;
let browser: Browser;
let api: AdminApi;

interface Member {
  _id: string;
  name: string;
  points?: number;
}

beforeAll(async () => {
  server = await startCrmServer();
  api = await AdminApi.connect(server.url);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Adds a formula field to the members designer and opens its settings. */
async function addFormula(page: Page): Promise<void> {
  await signInAt(page, server.url, '/apps/crm/builder/form/members');
  await drag(page, page.getByTestId('palette-formula'), page.getByTestId('section-drop-0'), 'bottom');
  await page.getByTestId('canvas-field-formula1').waitFor();
  await page.getByTestId('canvas-field-formula1').click();
  await page.getByTestId('formula-expression').fill('IF(name, points * 2, -1)');
}

const value = (page: Page) => page.getByTestId('formula-value').textContent({ timeout: 15_000 });

describe('the formula editor', () => {
  it('tries a formula on typed values and on a member of the CRM, and shows the server syntax check', async () => {
    const page = await openPage(browser, 'formula-trial', { viewport: { width: 1440, height: 1000 } });
    await addFormula(page);

    // Typed values: one input per field the expression reads.
    await page.getByTestId('formula-sample-name').fill('张三');
    await page.getByTestId('formula-sample-points').fill('21');
    await page.getByTestId('formula-evaluate').click();
    await expect.poll(() => value(page), { timeout: 15_000 }).toBe('42');
    expect(await page.getByTestId('formula-result').textContent()).toContain('points = 21');
    // The new field's result type (number) holds the value: no warning.
    expect(await page.getByTestId('formula-result').getAttribute('class')).toContain('ant-alert-success');

    // An existing member, picked by searching the form's records.
    const [member] = (await api.call<{ items: Member[] }>('GET', '/api/apps/crm/forms/members/records?limit=1&sort=_id')).items;
    if (!member) throw new Error('the template installed no demo members');
    await page.getByTestId('formula-sample-mode').getByText('现有记录').click();
    const picker = page.getByTestId('formula-sample-record');
    await picker.click();
    await page.keyboard.type(member.name);
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last().locator('.ant-select-item-option', { hasText: member._id }).click();
    await page.getByTestId('formula-evaluate').click();
    await expect.poll(() => value(page), { timeout: 15_000 }).toBe(String((member.points ?? 0) * 2));
    // Text does not fit the number result type: shown with the value, as a warning.
    await page.getByTestId('formula-expression').fill('CONCAT(name, ":", points)');
    await page.getByTestId('formula-evaluate').click();
    await expect.poll(() => value(page), { timeout: 15_000 }).toBe(`${member.name}:${member.points ?? ''}`);
    expect(await page.getByTestId('formula-result').textContent()).toContain('不能作为数字保存');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'formula-trial.png'), fullPage: true });

    // The server's check, without saving the draft: a syntax error at the expression...
    await page.getByTestId('formula-expression').fill('points *');
    await page.getByTestId('formula-check').click();
    await expect.poll(() => page.getByTestId('formula-problems').textContent(), { timeout: 15_000 }).toContain('公式语法错误');
    // ...and a name that is no field of the form.
    await page.getByTestId('formula-expression').fill('pionts * 2');
    await page.getByTestId('formula-check').click();
    await expect.poll(() => page.getByTestId('formula-problems').textContent(), { timeout: 15_000 }).toContain('pionts');
    await page.getByTestId('formula-expression').fill('ROUND(points / 3)');
    await page.getByTestId('formula-check').click();
    await page.getByTestId('formula-result').waitFor();
    // Nothing was saved: the draft on the server is still the published form.
    const latest = await api.call<{ status: string; spec: { fields: { key: string }[] } }>('GET', '/api/apps/crm/meta/form/members');
    expect(latest.spec.fields.some((f) => f.key === 'formula1')).toBe(false);
  });
});
