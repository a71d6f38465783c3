import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

/** Debian's chromium; Playwright's own browser download does not work here. */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a closed network: without the background ones chromium keeps
 * calling Google's hosts. Playwright gives each launch a fresh profile
 * directory of its own.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ARGS });
}

/**
 * A page in a fresh context (no cookies, no storage) for the current test;
 * a failing test leaves a screenshot in test-results/.
 */
export async function openPage(browser: Browser, name: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  // One handler does both, in order: screenshot a failed test, then close.
  onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail') {
      mkdirSync(resultsDir, { recursive: true });
      await page.screenshot({ path: join(resultsDir, `${name.replace(/[^\w-]+/g, '_')}.png`), fullPage: true }).catch(() => undefined);
    }
    await context.close();
  });
  return page;
}
