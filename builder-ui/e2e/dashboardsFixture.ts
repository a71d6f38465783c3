import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { AdminApi } from './fixture';
import { ADMIN_PASSWORD, startServer, type TestServer } from './server';

/**
 * The CRM the browser tests run on: the crm-retail template with, by
 * default, 200 demo members (8 stores, about two thousand sales over the
 * months before today), installed by `tangram serve` itself through its
 * TANGRAM_TEMPLATE and TANGRAM_DEMO_MEMBERS settings. The designer tests
 * pass 0: they make the few records they count.
 */
export async function startCrmServer(demoMembers = 200): Promise<TestServer> {
  process.env.TANGRAM_TEMPLATE = 'crm-retail';
  if (demoMembers > 0) process.env.TANGRAM_DEMO_MEMBERS = String(demoMembers);
  try {
    return await startServer();
  } finally {
    delete process.env.TANGRAM_TEMPLATE;
    delete process.env.TANGRAM_DEMO_MEMBERS;
  }
}

/** Signs in on the sign-in page the app sent us to, and waits to be back on path. */
export async function signInAs(page: Page, url: string, path: string, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await page.waitForURL((u) => u.pathname === path.split('?')[0]);
}

/**
 * expect.poll with room for a loaded machine: the page answers within
 * seconds, not vitest's default one.
 */
export function eventually<T>(fn: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(fn, { timeout, interval: 100 });
}

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const period = { key: 'period', type: 'dateRange', field: 'paidAt', default: 'last30days', label: t('日期', 'Date') };
const region = { key: 'region', type: 'value', field: 'store.region', label: t('大区', 'Region') };
const withStore = { form: 'transactions', joins: [{ relation: 'store', as: 'store' }] };

/** The HQ cockpit's reports over the template's sales (money in fen, exact). */
export const cockpitReports: Record<string, object> = {
  'e2e-kpi': {
    title: t('销售概览', 'Sales overview'),
    dataset: withStore,
    parameters: [period, region],
    measures: [
      { op: 'sum', field: 'paid', as: 'sales', label: t('销售额', 'Sales'), format: 'money' },
      { op: 'count', as: 'orders', label: t('订单数', 'Orders') },
      { op: 'formula', formula: 'sales / orders', as: 'aov', label: t('客单价', 'AOV'), format: 'money' },
    ],
    compare: ['previousPeriod'],
    chart: { type: 'chart.kpi' },
  },
  'e2e-trend': {
    title: t('每日销售', 'Daily sales'),
    dataset: withStore,
    parameters: [period, region],
    dimensions: [{ field: 'paidAt', bucket: 'day', as: 'day' }],
    measures: [{ op: 'sum', field: 'paid', as: 'sales', label: t('销售额', 'Sales'), format: 'money' }],
    sort: 'day',
    chart: { type: 'chart.line' },
  },
  'e2e-regions': {
    title: t('各大区销售', 'Sales by region'),
    dataset: withStore,
    parameters: [period, region],
    dimensions: [{ field: 'store.region', as: 'region' }],
    measures: [
      { op: 'sum', field: 'paid', as: 'sales', label: t('销售额', 'Sales'), format: 'money' },
      { op: 'count', as: 'orders', label: t('订单数', 'Orders') },
    ],
    sort: '-sales',
    chart: { type: 'chart.bar' },
  },
  'e2e-provinces': {
    title: t('各省销售', 'Sales by province'),
    dataset: withStore,
    parameters: [period, region],
    dimensions: [{ field: 'store.province', as: 'province' }],
    measures: [{ op: 'sum', field: 'paid', as: 'sales', label: t('销售额', 'Sales'), format: 'money' }],
    chart: { type: 'chart.map' },
  },
  'e2e-pivot': {
    title: t('大区 · 城市 × 会员等级', 'Region · city × tier'),
    dataset: { form: 'transactions', joins: [{ relation: 'store', as: 'store' }, { relation: 'member', as: 'member' }] },
    parameters: [period, region],
    dimensions: [
      { field: 'store.region', as: 'region' },
      { field: 'store.city', as: 'city' },
      { field: 'member.tier', as: 'tier' },
    ],
    measures: [{ op: 'count', as: 'orders', label: t('订单数', 'Orders') }],
    subtotals: true,
    chart: { type: 'chart.pivot' },
  },
  'e2e-hours': {
    title: t('时段热力', 'Busy hours'),
    dataset: withStore,
    parameters: [period, region],
    dimensions: [
      { field: 'paidAt', bucket: 'dayOfWeek', as: 'dow' },
      { field: 'paidAt', bucket: 'hourOfDay', as: 'hour' },
    ],
    measures: [{ op: 'count', as: 'orders', label: t('订单数', 'Orders') }],
    chart: { type: 'chart.heatmap' },
  },
};

/** The cockpit: KPIs on top, then trend and regions, provinces and the pivot, the busy hours. */
export const cockpit = {
  title: t('总部驾驶舱', 'HQ cockpit'),
  refreshSeconds: 300,
  filters: [
    { key: 'period', type: 'dateRange', default: 'last30days', label: t('日期', 'Date') },
    { key: 'region', type: 'field', field: 'store.region', label: t('大区', 'Region') },
  ],
  widgets: [
    { id: 'kpi', x: 0, y: 0, w: 24, h: 3, report: 'e2e-kpi' },
    { id: 'trend', x: 0, y: 3, w: 16, h: 7, report: 'e2e-trend' },
    { id: 'mix', x: 16, y: 3, w: 8, h: 7, report: 'e2e-regions', title: t('大区占比', 'Region mix'), chart: { type: 'chart.donut' } },
    { id: 'regions', x: 0, y: 10, w: 12, h: 7, report: 'e2e-regions' },
    { id: 'provinces', x: 12, y: 10, w: 12, h: 7, report: 'e2e-provinces' },
    { id: 'pivot', x: 0, y: 17, w: 12, h: 7, report: 'e2e-pivot' },
    { id: 'hours', x: 12, y: 17, w: 12, h: 7, report: 'e2e-hours' },
  ],
};

/** Publishes the cockpit's reports and the dashboard in the crm app. */
export async function installCockpit(api: AdminApi): Promise<void> {
  for (const [key, spec] of Object.entries(cockpitReports)) await api.define('crm', 'report', key, spec);
  await api.define('crm', 'dashboard', 'e2e-cockpit', cockpit);
}
