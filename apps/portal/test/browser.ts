import { existsSync, mkdirSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@meridian/db/seed';
import { repoRoot } from '../../control-plane/test/processes';

/** Debian's Chromium, headless, isolated: never a browser build downloaded by Playwright. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

export const ARTIFACTS = path.join(repoRoot, 'test-artifacts/portal');
export const PORTAL_DIST = path.join(repoRoot, 'apps/portal/dist');

export interface Browser {
  context: BrowserContext;
  /** A new tab: its own sessionStorage, so its own signed-in user. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  if (!existsSync(path.join(PORTAL_DIST, 'index.html'))) throw new Error('apps/portal/dist is missing: run `npm run build` (npm test does)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1360, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    page: () => context.newPage(),
    async close() {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form with the keyboard only (labels, tab order, Enter submits). */
export async function signIn(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function navLabels(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
}

export async function accessToken(page: Page): Promise<string> {
  return page.evaluate(() => (JSON.parse(sessionStorage.getItem('meridian.session') ?? '{}') as { session: { accessToken: string } }).session.accessToken);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Basic accessibility of what is on screen: every control has an accessible name, images and
 * charts have a text alternative, the page has one h1 and a main landmark. Returns the problems.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || (el as HTMLElement).getClientRects().length > 0;
    const named = (el: Element) =>
      Boolean(el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby') || (el as HTMLInputElement).labels?.length || el.getAttribute('title'));
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      if (visible(el) && !named(el)) problems.push(`unlabelled ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
    }
    for (const el of document.querySelectorAll('button, a[href], [role=switch]')) {
      if (visible(el) && !(el.textContent?.trim() || named(el))) problems.push(`nameless ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
    }
    for (const el of document.querySelectorAll('img, svg[role=img]')) {
      if (!(el.getAttribute('alt') ?? el.getAttribute('aria-label'))) problems.push(`image without text alternative ${el.outerHTML.slice(0, 80)}`);
    }
    if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} h1 elements`);
    if (!document.querySelector('main')) problems.push('no main landmark');
    if (!document.documentElement.lang) problems.push('no lang attribute');
    return problems;
  });
}
