import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { TestAgent } from '../../control-plane/test/agent-client';
import { startStack, waitFor, type TestStack } from '../../edge-agent/test/stack';
import { MODELS_DIR } from '../../edge-agent/test/model-fixtures';
import { launchBrowser, PORTAL_DIST, signIn, type Browser } from './browser';

/**
 * Stored XSS: strings from agents (node labels, reported state, audit events, policy and model
 * errors), integrators (node names) and other users (site names, model cards, policy comments,
 * rollout reasons) reach the portal's pages as text, never as markup; and the portal's HTML is
 * served with a Content-Security-Policy that forbids inline script and framing, without breaking
 * the pages.
 */
const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '"><script>window.__xss=1</script>';
const SVG = '<svg onload=window.__xss=1>'; // fits the 30 characters of a reported model state

const HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

describe('portal: untrusted strings are shown as text, and the portal is served with security headers', () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  let artifactDir: string;
  let agent: TestAgent;
  let nodeId: string;
  let rolloutId: string;
  const nodeName = `gw ${IMG} ${SCRIPT}`;
  const siteName = `Cikarang ${IMG} ${SCRIPT}`;

  beforeAll(async () => {
    artifactDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-portal-xss-'));
    stack = await startStack('portal_xss', { env: { PORTAL_DIR: PORTAL_DIST, ARTIFACT_DIR: artifactDir } });
    base = `http://127.0.0.1:${stack.httpPort}`;
    const siteId = stack.siteIds.ID!;

    // An agent enrolls with hostile labels, then reports hostile state, a refused policy with a hostile error, and hostile audit events.
    agent = new TestAgent(`127.0.0.1:${stack.grpcPort}`);
    const token = await stack.api('POST', '/v1/enrollment-tokens', { siteId, ttlSeconds: 600 });
    expect(token.status).toBe(201);
    nodeId = (await agent.enroll(token.body.token, 'gw-xss-1', { labels: { zone: IMG, line: SCRIPT } })).nodeId;
    await agent.heartbeat(undefined, { agentVersion: IMG, models: [{ modelId: SCRIPT, version: IMG, state: SVG }] });
    const channel = agent.policyChannel();
    channel.on('data', () => undefined);
    channel.on('error', () => undefined);
    channel.write({ ack: { version: 1, digest: 'a'.repeat(64), applied: false, error: `bundle refused: ${IMG} ${SCRIPT}` } });
    await waitFor(async () => (await stack.owner.edgeNode.findUniqueOrThrow({ where: { id: nodeId } })).policyError !== null, 10_000);
    channel.cancel();
    const events: AuditEvent[] = [
      // The indexed fields (type, category, decision) are checked at ingest; the rest of the body is the agent's text.
      { at: new Date().toISOString(), type: 'policy.decision', actor: `node:${nodeId}`, category: 'inspection_images', decision: 'deny', data: { note: IMG, other: SCRIPT } },
      { at: new Date().toISOString(), type: 'model.inference', actor: `node:${nodeId}`, data: { message: SCRIPT, model: IMG } },
    ];
    const records: ChainRecord[] = [];
    for (const event of events) records.push(appendRecord(records[records.length - 1], event));
    expect((await agent.uploadAudit(records)).acknowledgedSeq).toBe(2);

    // The integrator renames its node; vendor staff rename the site and comment a policy version.
    const integrator = await stack.login('integrator.admin@nusantara.example');
    expect((await stack.api('PATCH', `/v1/nodes/${nodeId}`, { name: nodeName }, integrator)).status).toBe(200);
    const engineer = await stack.login('vendor.engineer@demo-vendor.example');
    expect((await stack.api('PATCH', `/v1/sites/${siteId}`, { name: siteName, region: SCRIPT }, engineer)).status).toBe(200);
    const overlay = { apiVersion: 'meridian.dev/v1', kind: 'CountryOverlay', country: 'CL', categories: {} };
    expect((await stack.api('PUT', '/v1/policies/CL', { document: overlay, comment: `${IMG} ${SCRIPT}` }, engineer)).status).toBe(200);

    // A model with a hostile description and card, published, rolled out to the node and aborted with a hostile reason.
    const modelId = (await stack.api('POST', '/v1/models', { name: 'pump-anomaly', description: `${IMG} ${SCRIPT}` }, engineer)).body.id as string;
    const card = JSON.parse(await readFile(path.join(MODELS_DIR, 'pump-anomaly', '1.0.0', 'card.json'), 'utf8'));
    Object.assign(card, { intendedUse: IMG, exportClassification: SCRIPT, trainingData: { summary: IMG }, evaluation: { [SCRIPT]: 0.9 } });
    const saved = await stack.api('PUT', `/v1/models/${modelId}/versions/1.0.0`, { card }, engineer);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const upload = await fetch(`${base}/v1/models/${modelId}/versions/1.0.0/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' },
      body: await readFile(path.join(MODELS_DIR, 'pump-anomaly', '1.0.0', 'model.onnx')),
    });
    expect(upload.status).toBe(200);
    expect((await stack.api('POST', `/v1/models/${modelId}/versions/1.0.0/publish`, undefined, engineer)).status).toBe(200);
    const rollout = await stack.api('POST', '/v1/rollouts', { modelId, version: '1.0.0', selector: { countries: ['ID'] } });
    expect(rollout.status, JSON.stringify(rollout.body)).toBe(201);
    rolloutId = rollout.body.id as string;
    expect((await stack.api('POST', `/v1/rollouts/${rolloutId}/abort`, { rollback: false, reason: `${IMG} ${SCRIPT}` })).status).toBe(200);
    // What the agent reported about the rollout (as ReportModelState stores it).
    await stack.owner.rolloutNode.updateMany({ where: { rolloutId }, data: { detail: `download failed: ${IMG} ${SCRIPT}` } });

    browser = await launchBrowser();
    // Every CSP violation a page reports (an injected handler or inline script would be one; so would a portal script or style the policy blocks).
    await browser.context.addInitScript(() => {
      const w = window as unknown as { __cspViolations: string[] };
      w.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => w.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
  }, 180_000);

  afterAll(async () => {
    agent?.close();
    await browser?.close();
    await stack?.close();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  });

  /** A page that records console CSP refusals and uncaught errors. */
  async function open(email: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.page();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await signIn(page, base, email);
    return { page, problems };
  }

  /** Nothing ran, nothing was injected, the policy blocked nothing, and `texts` are on screen as text. */
  async function expectInert(page: Page, problems: string[], texts: string[]): Promise<void> {
    const main = page.getByRole('main');
    for (const text of texts) await expect.poll(() => main.innerText(), { timeout: 10_000 }).toContain(text);
    const seen = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss,
      handlers: document.querySelectorAll('[onerror], [onload], [onclick], [onmouseover]').length,
      inlineScripts: document.querySelectorAll('script:not([src])').length,
      images: document.querySelectorAll('img, iframe, object, embed').length,
      violations: (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? ['no CSP listener'],
    }));
    expect(seen.xss, `window.__xss was set on ${page.url()}`).toBeUndefined();
    expect(seen).toMatchObject({ handlers: 0, inlineScripts: 0, images: 0, violations: [] });
    expect(problems).toEqual([]);
  }

  it('serves the portal’s pages and assets with a CSP that allows only its own scripts and styles, and forbids framing and sniffing', async () => {
    const html = await fetch(`${base}/`).then((r) => r.text());
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const route of ['/', '/login', '/fleet', '/nodes/some-node', '/audit/events/x/1', ...assets]) {
      const response = await fetch(`${base}${route}`, { headers: { accept: route.startsWith('/assets/') ? '*/*' : 'text/html' } });
      expect(response.status, route).toBe(200);
      expect(Object.fromEntries(Object.keys(HEADERS).map((name) => [name, response.headers.get(name)])), route).toEqual(HEADERS);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      expect(directives.get('default-src'), route).toEqual(["'self'"]);
      expect(directives.get('script-src'), route).toEqual(["'self'"]);
      expect(directives.get('style-src'), route).toEqual(["'self'"]);
      expect(directives.get('object-src'), route).toEqual(["'none'"]);
      expect(directives.get('base-uri'), route).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors'), route).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
    // The API keeps its own responses: no portal policy on JSON.
    expect((await fetch(`${base}/healthz`)).headers.get('content-security-policy')).toBeNull();

    // Another page can not frame the portal.
    const page = await browser.page();
    const refused: string[] = [];
    page.on('console', (message) => refused.push(message.text()));
    await page.setContent(`<iframe src="${base}/login" title="framed portal"></iframe>`);
    await expect.poll(() => refused.some((text) => text.includes(`Framing '${base}/'`) && text.includes("frame-ancestors 'none'")), { timeout: 10_000 }).toBe(true);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    expect(framed?.url()).not.toContain(base);
    expect(await framed?.evaluate(() => document.querySelector('#root') !== null).catch(() => false)).toBe(false);
    await page.close();
  }, 60_000);

  it('vendor admin: fleet, site and node pages show node names, labels and reported state as text', async () => {
    const { page, problems } = await open('vendor.admin@demo-vendor.example');
    await page.getByTestId('country-ID').waitFor();
    await expectInert(page, problems, [siteName]);

    await page.getByRole('link', { name: siteName }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(siteName);
    await expectInert(page, problems, [siteName, SCRIPT, nodeName, `${IMG} (${SVG})`]);
    expect(await page.title()).toBe(`${siteName} · Meridian`);

    await page.getByRole('link', { name: nodeName }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(nodeName);
    await expectInert(page, problems, [`zone=${IMG}`, `line=${SCRIPT}`, `Agent version\n${IMG}`]);
    expect(await page.getByTestId('node-models').innerText()).toContain(`${SCRIPT}\t${IMG}\t${SVG}`);
    expect(await page.title()).toBe(`${nodeName} · Meridian`);
    await page.close();
  }, 90_000);

  it('vendor admin and auditor: the audit trail and an event’s detail show agent-written events as text', async () => {
    for (const email of ['vendor.admin@demo-vendor.example', 'auditor@audit-firm.example']) {
      const { page, problems } = await open(email);
      await page.goto(`${base}/audit`);
      const filters = page.getByRole('form', { name: 'Filter events' });
      await filters.getByLabel('Source').fill(nodeId);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const rows = page.getByTestId('audit-events').locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      await expectInert(page, problems, ['model.inference', 'policy.decision · inspection_images']);
      if (email.startsWith('vendor')) expect(await filters.getByLabel('Site').locator('option').allInnerTexts()).toContain(siteName);

      await page.goto(`${base}/audit/events/${nodeId}/1`);
      // The body is shown as JSON text (quotes escaped), the indexed fields as they are.
      await expectInert(page, problems, [`"note": "${IMG}"`, '"other": "\\"><script>window.__xss=1</script>"']);
      await page.goto(`${base}/audit/events/${nodeId}/2`);
      await expectInert(page, problems, [`"model": "${IMG}"`, '"message": "\\"><script>window.__xss=1</script>"']);
      await page.close();
    }
  }, 90_000);

  it('vendor admin: consent shows the site name in its confirmation and the agent’s policy error in the propagation', async () => {
    const { page, problems } = await open('vendor.admin@demo-vendor.example');
    await page.getByRole('link', { name: 'Consent' }).click();
    const site = page.getByTestId('consent-site-ID');
    await expect.poll(() => site.getByRole('heading', { level: 2 }).innerText()).toBe(`${siteName} (ID)`);
    await site.getByRole('switch').first().click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').innerText()).toMatch(new RegExp(`at ${siteName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?$`));
    expect(await dialog.getByTestId('consent-effect').innerText()).toContain(siteName);
    await dialog.getByRole('button', { name: /consent$/ }).click();
    const propagation = site.getByTestId('propagation');
    await expect.poll(() => propagation.innerText(), { timeout: 15_000 }).toContain(`${nodeName}: `);
    await expectInert(page, problems, [`bundle refused: ${IMG} ${SCRIPT}`, siteName]);
    await page.close();
  }, 90_000);

  it('vendor admin: models, rollouts and governance show model cards, rollout reasons, node reports and policy comments as text', async () => {
    const { page, problems } = await open('vendor.admin@demo-vendor.example');
    await page.getByRole('link', { name: 'Models & rollouts' }).click();
    const card = page.getByRole('group', { name: 'Model card of pump-anomaly 1.0.0' });
    await expect.poll(() => card.innerText()).toContain(IMG);
    await expectInert(page, problems, [`${IMG} ${SCRIPT}`, `Reason: ${IMG} ${SCRIPT}`]);
    expect(await card.innerText()).toContain(`${SCRIPT} 0.9`);
    const rollout = page.getByTestId('rollout-1.0.0');
    await rollout.getByText('Target nodes', { exact: true }).click();
    await expect.poll(() => rollout.getByTestId('rollout-nodes').innerText()).toContain(nodeName);
    await expectInert(page, problems, [`download failed: ${IMG} ${SCRIPT}`]);
    await card.getByText('Full card').click();
    await expectInert(page, problems, [`"intendedUse": "${IMG}"`]);

    await page.getByRole('link', { name: 'Governance' }).click();
    await page.getByRole('button', { name: /Overlay CL/ }).click();
    await expectInert(page, problems, [`— “${IMG} ${SCRIPT}”`]);
    const history = page.getByRole('region', { name: 'Version history' });
    await expect.poll(() => history.innerText()).toContain(`${IMG} ${SCRIPT}`);
    const simulator = page.getByRole('region', { name: 'Simulator' });
    expect(await simulator.getByLabel('Site').locator('option').allInnerTexts()).toContain(`${siteName} (ID)`);
    await expectInert(page, problems, []);
    await page.close();
  }, 90_000);
});
