import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditExportStream } from '@meridian/audit';
import { enrollAgent, startStack, waitFor, type TestStack } from '../../edge-agent/test/stack';
import { MODELS_DIR } from '../../edge-agent/test/model-fixtures';
import { accessibilityProblems, accessToken, launchBrowser, navLabels, PORTAL_DIST, screenshot, signIn, type Browser } from './browser';

/**
 * The tenant portal in a real browser (Debian Chromium through playwright-core) against the real
 * stack: control plane serving the built portal, worker, and two edge agents as processes.
 */
describe('tenant portal in a browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  let artifactDir: string;

  const siteStatus = async (country: string) => (await stack.api('GET', `/v1/sites/${stack.siteIds[country]}/policy-status`)).body as { latestVersion: number | null; nodes: { name: string; appliedVersion: number | null; compliant: boolean }[] };

  beforeAll(async () => {
    artifactDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-portal-artifacts-'));
    stack = await startStack('portal_e2e', { worker: true, env: { PORTAL_DIR: PORTAL_DIST, ARTIFACT_DIR: artifactDir, ROLLOUT_TICK_MS: '300' } });
    base = `http://127.0.0.1:${stack.httpPort}`;
    await Promise.all([enrollAgent(stack, 'ID'), enrollAgent(stack, 'CL')]);
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202);
    for (const country of ['ID', 'CL']) {
      await waitFor(async () => {
        const status = await siteStatus(country);
        return status.latestVersion !== null && status.nodes.length === 1 && status.nodes.every((n) => n.compliant);
      }, 20_000);
    }
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  });

  /** Registers a model version from the repository's generated models/ and (unless told not to) publishes it, as a vendor engineer would with the API. */
  async function publishModelVersion(name: string, version: string, options: { publish: boolean } = { publish: true }): Promise<string> {
    const token = await stack.login('vendor.engineer@demo-vendor.example');
    const listed = await stack.api('GET', '/v1/models', undefined, token);
    let modelId = (listed.body.items as { id: string; name: string }[]).find((m) => m.name === name)?.id;
    if (!modelId) modelId = (await stack.api('POST', '/v1/models', { name, description: 'Flags pumps drifting from fleet norms' }, token)).body.id as string;
    const card = JSON.parse(await readFile(path.join(MODELS_DIR, name, version, 'card.json'), 'utf8'));
    expect((await stack.api('PUT', `/v1/models/${modelId}/versions/${version}`, { card }, token)).status).toBe(200);
    const upload = await fetch(`${base}/v1/models/${modelId}/versions/${version}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: await readFile(path.join(MODELS_DIR, name, version, 'model.onnx')),
    });
    expect(upload.status).toBe(200);
    if (options.publish) expect((await stack.api('POST', `/v1/models/${modelId}/versions/${version}/publish`, undefined, token)).status).toBe(200);
    return modelId!;
  }

  it('is served by the control plane with an SPA fallback that never shadows the API, probes, metrics or docs', async () => {
    const deepLink = await fetch(`${base}/sites/some-site`, { headers: { accept: 'text/html' } });
    expect(deepLink.status).toBe(200);
    expect(deepLink.headers.get('content-type')).toMatch(/text\/html/);
    expect(await deepLink.text()).toContain('<div id="root">');

    const unknownApi = await fetch(`${base}/v1/no-such-route`, { headers: { accept: 'text/html' } });
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await fetch(`${base}/healthz`, { headers: { accept: 'text/html' } }).then((r) => r.json())).status).toBe('ok');
    expect((await fetch(`${base}/readyz`, { headers: { accept: 'text/html' } })).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${base}/openapi.json`, { headers: { accept: 'text/html' } }).then((r) => r.json())).openapi).toMatch(/^3\./);
    expect(await fetch(`${base}/docs`, { headers: { accept: 'text/html' } }).then((r) => r.text())).toMatch(/swagger-ui/i);
    expect((await fetch(`${base}/metrics`, { headers: { accept: 'text/html' } })).headers.get('content-type')).not.toMatch(/text\/html/);
    expect((await fetch(`${base}/admin/queues`, { headers: { accept: 'text/html' } })).status).toBe(401);
    expect((await fetch(`${base}/assets/missing-file.js`)).status).toBe(404);
    expect((await fetch(`${base}/%E0%A4%A`, { headers: { accept: 'text/html' } })).status).toBe(400); // malformed encoding: refused, not the portal
    expect((await fetch(`${base}/..%2f..%2fpackage.json`, { headers: { accept: 'text/html' } }).then((r) => r.text()))).not.toContain('"workspaces"');
  });

  it('integrator admin: sees only its sites, grants consent after a confirmation naming the effect, and watches the site’s agent acknowledge the new policy version', async () => {
    const page = await browser.page();
    await signIn(page, base, 'integrator.admin@nusantara.example');
    expect(await navLabels(page)).toEqual(['Fleet', 'Consent', 'Audit']);

    await page.getByTestId('country-ID').waitFor();
    expect(await page.getByTestId('country-CL').count()).toBe(0);
    await expect.poll(() => page.getByTestId('country-chart').getAttribute('aria-label')).toMatch(/ID: 1 online/);

    const before = (await siteStatus('ID')).latestVersion!;
    await page.getByRole('link', { name: 'Consent' }).click();
    const site = page.getByTestId('consent-site-ID');
    const toggle = site.getByRole('switch', { name: 'vendor_remote_diagnostics' });
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    // Escape cancels without changing anything; then the real confirmation.
    await toggle.click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect((await siteStatus('ID')).latestVersion).toBe(before);
    await toggle.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').innerText()).toBe('Grant “vendor_remote_diagnostics” at Cikarang Plant?');
    expect(await dialog.getByTestId('consent-effect').innerText()).toMatch(/lets process_parameters leave Cikarang Plant/);
    await dialog.getByRole('button', { name: 'Grant consent' }).click();

    // The page shows the agent acknowledging the new version, without a reload.
    const propagation = site.getByTestId('propagation');
    await propagation.locator('li[data-node="gw-id-1"][data-acknowledged="true"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => propagation.getByTestId('propagation-summary').innerText(), { timeout: 10_000 }).toMatch(/1 of 1 node acknowledged — complete/);
    const after = await siteStatus('ID');
    expect(after.latestVersion).toBeGreaterThan(before);
    expect(after.nodes[0]).toMatchObject({ name: 'gw-id-1', appliedVersion: after.latestVersion, compliant: true });
    expect(await propagation.locator('li[data-node="gw-id-1"]').getAttribute('data-applied')).toBe(String(after.latestVersion));
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    const consent = await stack.api('GET', `/v1/sites/${stack.siteIds.ID}/consent`);
    expect(consent.body.flags).toMatchObject({ vendor_remote_diagnostics: true });
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'consent');

    // Only its own sites: the CL site is refused by the API as well as absent from the page.
    expect(await page.getByTestId('consent-site-CL').count()).toBe(0);
    const other = await stack.api('PUT', `/v1/sites/${stack.siteIds.CL}/consent`, { flags: { vendor_remote_diagnostics: true } }, await accessToken(page));
    expect([403, 404]).toContain(other.status);
    await page.close();
  }, 120_000);

  it('vendor admin: fleet by country, site and node detail with live heartbeats', async () => {
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    expect(await navLabels(page)).toEqual(['Fleet', 'Governance', 'Consent', 'Models & rollouts', 'Audit', 'People', 'API keys']);
    await page.getByTestId('country-CL').waitFor();
    await expect.poll(() => page.getByTestId('country-chart').getAttribute('aria-label')).toMatch(/CL: 1 online, 0 stale, 0 offline, 1 of 1 on the latest policy/);
    expect(await page.getByTestId('country-chart').locator('rect').count()).toBeGreaterThan(2);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'fleet');

    await page.getByRole('link', { name: 'Antofagasta Plant' }).click();
    const row = page.getByTestId('site-nodes').locator('tr[data-node="gw-cl-1"]');
    await expect.poll(() => row.innerText()).toMatch(/online/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'site');

    await row.getByRole('link', { name: 'gw-cl-1' }).click();
    await expect.poll(() => page.getByTestId('node-policy-version').innerText()).toMatch(/^v\d+$/);
    const first = await page.getByTestId('last-heartbeat').locator('time').getAttribute('datetime');
    // Heartbeats every second: the page shows a newer one without a reload.
    await expect.poll(() => page.getByTestId('last-heartbeat').locator('time').getAttribute('datetime'), { timeout: 10_000 }).not.toBe(first);
    await expect.poll(() => page.getByTestId('heartbeat-timeline').getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/^[2-9]\d* heartbeats seen in the last minute, about every \d/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'node');
    await page.close();
  }, 120_000);

  it('vendor admin: governance shows the API’s path-named errors inline, then a diff, publishes and follows propagation per node', async () => {
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    await page.getByRole('link', { name: 'Governance' }).click();
    await page.getByRole('button', { name: /Overlay CL/ }).click();
    const editor = page.getByLabel('Policy document (JSON or YAML)');
    await expect.poll(() => editor.inputValue()).toMatch(/"kind": "CountryOverlay"[\s\S]*vendor_remote_diagnostics/); // the seeded CL overlay, loaded

    const invalid = { apiVersion: 'meridian.dev/v1', kind: 'CountryOverlay', country: 'CL', categories: { inspection_images: { egress: { allow: [] }, retentionDays: 'long' } } };
    await editor.fill(JSON.stringify(invalid, null, 2));
    await page.getByLabel('Comment').fill('no images leave Chilean plants');
    await page.getByRole('button', { name: 'Save version' }).click();
    const errors = page.getByTestId('policy-errors');
    await expect.poll(() => errors.innerText()).toMatch(/document\.categories\.inspection_images\.retentionDays/);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'governance-invalid');

    const fixed = { ...invalid, categories: { inspection_images: { egress: { allow: [] } } } };
    await editor.fill(JSON.stringify(fixed, null, 2));
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByTestId('saved-version').waitFor();
    expect(await errors.count()).toBe(0);
    const diff = page.getByTestId('policy-diff');
    await expect.poll(() => diff.innerText()).toMatch(/categories\.inspection_images/);

    const before = (await siteStatus('CL')).latestVersion!;
    await page.getByRole('button', { name: 'Publish to CL' }).click();
    const propagation = page.getByTestId('propagation');
    await expect.poll(() => propagation.innerText(), { timeout: 20_000 }).toMatch(/Compile job: completed/);
    await expect.poll(() => propagation.getByTestId('propagation-summary').innerText(), { timeout: 20_000 }).toMatch(/1 of 1 node acknowledged — complete/);
    const after = await siteStatus('CL');
    expect(after.latestVersion).toBeGreaterThan(before);
    expect(await propagation.locator('li[data-node="gw-cl-1"]').getAttribute('data-applied')).toBe(String(after.latestVersion));
    expect(await stack.agents.CL!.local('GET', '/v1/status').then((r) => r.body.policyVersion)).toBe(after.latestVersion);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'governance');

    // The simulator answers from the saved policies, naming the layer that decided.
    const simulator = page.getByRole('region', { name: 'Simulator' });
    await simulator.getByLabel('Site').selectOption({ label: 'Antofagasta Plant (CL)' });
    await simulator.getByLabel('Category').fill('inspection_images');
    await simulator.getByLabel('Action').selectOption('egress');
    await simulator.getByLabel('Destination').fill('vendor_cloud:eu');
    await simulator.getByRole('button', { name: 'Simulate' }).click();
    await expect.poll(() => page.getByTestId('simulation-result').innerText()).toMatch(/deny by overlay:CL/);
    await page.close();
  }, 120_000);

  it('vendor admin: audit events with filters, a signed checkpoint and an event with a verified inclusion proof', async () => {
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('button', { name: 'Checkpoint now' }).click();
    await page.getByTestId('checkpoints').locator('tbody tr').first().waitFor({ timeout: 30_000 });

    const filters = page.getByRole('form', { name: 'Filter events' });
    await filters.getByLabel('Type').fill('admin.consent.changed');
    await filters.getByLabel('Site').selectOption({ label: 'Cikarang Plant' });
    await filters.getByLabel('From').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.getByTestId('audit-events').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/admin\.consent\.changed/);
    // Who did it, by name (the integrator admin granted it in the first test), with the proven id on hover.
    const actor = rows.first().getByTitle(/^user:[0-9a-f-]{36}$/);
    expect(await actor.innerText()).toBe('Indra Integrator (ID admin) · person');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'audit');

    await rows.first().getByRole('link').click();
    await expect.poll(() => page.getByTestId('proof-status').innerText()).toMatch(/Hash chain: intact/);
    expect(await page.getByTestId('proof-status').innerText()).toMatch(/Inclusion proof: verified/);
    expect(await page.getByRole('main').innerText()).toMatch(/Actor\s+Indra Integrator \(ID admin\) · person user:[0-9a-f-]{36}/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'audit-event');
    await page.close();
  }, 120_000);

  it('auditor: sees audit and export only, write actions are absent from the page and refused by the API', async () => {
    const page = await browser.page();
    await signIn(page, base, 'auditor@audit-firm.example');
    expect(await navLabels(page)).toEqual(['Audit']);
    expect(page.url()).toBe(`${base}/audit`);
    await page.getByTestId('audit-events').waitFor();
    expect(await page.getByRole('button', { name: 'Checkpoint now' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Prepare export' }).click();
    const link = page.getByTestId('export-download');
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^meridian-audit-[0-9a-f-]{36}\.jsonl\.gz$/);
    // Saved by the browser from a single-use link, streamed to disk; not fetched into a Blob by the page.
    expect(download.url()).toMatch(new RegExp(`^${base}/v1/audit/exports/[0-9a-f-]{36}/file\\?token=`));
    expect(await link.innerText()).toMatch(/\.jsonl\.gz/);
    // gzip'd JSON Lines: the header, then keys, checkpoints, events and the end line; it verifies
    const lines = gunzipSync(await readFile((await download.path())!)).toString('utf8').slice(0, -1).split('\n');
    const header = JSON.parse(lines[0]!) as { format: string; requestedBy: string; treeSize: number };
    expect(header.format).toBe('meridian.audit-export.v3');
    expect(header.requestedBy).toMatch(/^user:/);
    expect(await verifyAuditExportStream(lines)).toMatchObject({ ok: true, treeSize: header.treeSize });
    expect(header.treeSize).toBeGreaterThan(0);

    // The whole log re-verified by a worker job the page follows. While the log is locked the job
    // cannot read it: the page shows the running job's progress, then its verdict once it can.
    await stack.owner.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE`;
        await page.getByRole('button', { name: 'Verify now' }).click();
        await expect.poll(() => page.getByTestId('verify-progress').innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/^Starting…$/m);
        expect(await page.getByRole('progressbar', { name: 'Verification progress' }).getAttribute('aria-valuenow')).toBe('0');
        expect(await page.getByRole('button', { name: 'Verify now' }).isDisabled()).toBe(true);
      },
      { timeout: 30_000 },
    );
    await expect.poll(() => page.getByTestId('verify-result').innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/intact\s+\d+ events from \d+ sources match their hashes and the latest checkpoint/);
    expect(await page.getByTestId('verify-progress').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'audit-auditor');

    for (const route of ['/governance', '/consent', '/fleet']) {
      await page.goto(`${base}${route}`);
      await expect.poll(() => page.getByRole('main').innerText()).toMatch(/Your role does not give access to this page/);
      expect(await page.getByRole('switch').count()).toBe(0);
      expect(await page.getByRole('button', { name: /Save version|Publish/ }).count()).toBe(0);
    }

    const token = await accessToken(page);
    const refused = [
      await stack.api('PUT', `/v1/sites/${stack.siteIds.ID}/consent`, { flags: { vendor_remote_diagnostics: false } }, token),
      await stack.api('PUT', '/v1/policies/CL', { document: { apiVersion: 'meridian.dev/v1', kind: 'CountryOverlay', country: 'CL', categories: {} } }, token),
      await stack.api('POST', '/v1/policies/publish', {}, token),
      await stack.api('POST', '/v1/audit/checkpoints', undefined, token),
      await stack.api('POST', '/v1/rollouts', { modelId: '00000000-0000-4000-8000-000000000000', version: '1.0.0' }, token),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(refused[0]!.body).toMatchObject({ code: 'forbidden' });
    expect((await stack.api('GET', `/v1/sites/${stack.siteIds.ID}/consent`)).body.flags).toMatchObject({ vendor_remote_diagnostics: true });
    await page.close();
  }, 120_000);

  it('vendor admin: model versions with their cards; a draft published; a rollout started, paused, resumed and completed with live progress per state; another aborted with rollback', async () => {
    await publishModelVersion('pump-anomaly', '1.0.0');
    await publishModelVersion('pump-anomaly', '1.1.0', { publish: false });
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    await page.getByRole('link', { name: 'Models & rollouts' }).click();
    await page.getByRole('button', { name: /pump-anomaly/ }).click();
    const v1 = page.getByTestId('version-1.0.0');
    await expect.poll(() => v1.getByRole('group', { name: 'Model card of pump-anomaly 1.0.0' }).innerText()).toMatch(/predictive_maintenance[\s\S]*equipment_telemetry[\s\S]*EAR99/);
    expect(await v1.innerText()).toMatch(/published/);

    // 1.1.0 arrived as a draft: published from the page, after a confirmation that says what signing it means.
    const v11 = page.getByTestId('version-1.1.0');
    expect(await v11.getByRole('button', { name: 'Roll out 1.1.0' }).count()).toBe(0);
    await v11.getByRole('button', { name: 'Publish 1.1.0' }).click();
    expect(await page.getByRole('dialog').innerText()).toMatch(/Publish pump-anomaly 1\.1\.0\?[\s\S]*signs its manifest[\s\S]*cannot change/);
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => v11.locator('h3').innerText()).toMatch(/published/);
    expect(await v11.getByRole('button', { name: /^Publish/ }).count()).toBe(0);
    await v11.getByRole('button', { name: 'Roll out 1.1.0' }).waitFor();

    // Start: both countries, canary of one node, then a 10 s pause before the second batch (time to pause it).
    await v1.getByRole('button', { name: 'Roll out 1.0.0' }).click();
    const form = page.getByRole('form', { name: 'Roll out 1.0.0' });
    await form.getByLabel('ID', { exact: true }).check();
    await form.getByLabel('CL', { exact: true }).check();
    await form.getByLabel('Batch size').fill('1');
    await form.getByLabel('Pause between batches (s)').fill('10');
    await form.getByLabel('Observe before judging (s)').fill('0');
    await form.getByLabel('Minimum requests to judge errors').fill('0');
    await form.getByRole('button', { name: 'Start rollout' }).click();

    const rollout = page.getByTestId('rollout-1.0.0');
    const count = (state: string) => rollout.locator(`[data-state="${state}"]`).getAttribute('data-count');
    // The canary goes pending -> downloading -> ... -> active on its own; the page follows without a reload.
    await expect.poll(() => count('active'), { timeout: 30_000 }).toBe('1');
    await rollout.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => rollout.locator('h3').innerText()).toMatch(/paused/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'rollout-paused');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await count('active')).toBe('1');

    await rollout.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => rollout.locator('h3').innerText(), { timeout: 40_000 }).toMatch(/completed/);
    expect(await count('active')).toBe('2');
    expect(await rollout.getByTestId('rollout-summary').innerText()).toBe('100% of 2 nodes active');
    expect(await rollout.getByRole('progressbar', { name: /Share of 2 target nodes/ }).getAttribute('aria-valuenow')).toBe('100');
    await rollout.getByText('Target nodes', { exact: true }).click();
    const targets = rollout.getByTestId('rollout-nodes');
    await expect.poll(() => targets.locator('tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-node')}:${r.getAttribute('data-state')}`).sort())).toEqual(['gw-cl-1:active', 'gw-id-1:active']);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'rollouts');

    // The node reports the model it now runs; its page shows it by name.
    // (a full page load: the session survives it, and no request races the session's start-up)
    await page.goto(`${base}/nodes/${stack.agents.CL!.nodeId}`);
    await expect.poll(() => page.getByTestId('node-models').innerText(), { timeout: 15_000 }).toMatch(/pump-anomaly\s+1\.0\.0\s+active/);
    await page.goto(`${base}/models`);
    await page.getByRole('button', { name: /pump-anomaly/ }).click();

    // Abort a second rollout after its canary, sending the canary back.
    await page.getByTestId('version-1.1.0').getByRole('button', { name: 'Roll out 1.1.0' }).click();
    const second = page.getByRole('form', { name: 'Roll out 1.1.0' });
    await second.getByLabel('Batch size').fill('1');
    await second.getByLabel('Pause between batches (s)').fill('120');
    await second.getByLabel('Observe before judging (s)').fill('0');
    await second.getByLabel('Minimum requests to judge errors').fill('0');
    await second.getByRole('button', { name: 'Start rollout' }).click();
    const next = page.getByTestId('rollout-1.1.0');
    await expect.poll(() => next.locator('[data-state="active"]').getAttribute('data-count'), { timeout: 30_000 }).toBe('1');
    await next.getByRole('button', { name: 'Abort' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toMatch(/1 node has already been reached/);
    await dialog.getByRole('button', { name: 'Abort rollout' }).click();
    await expect.poll(() => next.locator('h3').innerText(), { timeout: 30_000 }).toMatch(/aborted|rolled_back/);
    const listed = await stack.api('GET', '/v1/rollouts');
    expect(listed.body.items.find((r: { version: string }) => r.version === '1.1.0').status).toMatch(/aborted|rolled_back/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'rollout-aborted');
    await page.close();
  }, 180_000);

  it('tenant switcher: a user in several tenants switches, and a tenant without sites shows the empty state', async () => {
    const platform = await stack.login('platform@meridian.example');
    expect((await stack.api('POST', '/v1/tenants', { slug: 'second-vendor', name: 'Second Vendor' }, platform)).status).toBe(201);
    const page = await browser.page();
    await signIn(page, base, 'platform@meridian.example');
    const switcher = page.getByLabel('Tenant');
    expect(await switcher.locator('option').allInnerTexts()).toEqual(['Demo Vendor', 'Second Vendor']);
    await page.getByTestId('country-ID').waitFor();
    await switcher.selectOption({ label: 'Second Vendor' });
    await expect.poll(() => page.getByRole('main').innerText()).toMatch(/No sites yet/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'fleet-empty-tenant');
    await switcher.selectOption({ label: 'Demo Vendor' });
    await page.getByTestId('country-ID').waitFor();
    await page.close();
  }, 120_000);

  it('vendor admin: people of the tenant: adds an integrator, sets a temporary password, changes their role, removes them; adds, renames and removes an integrator organisation', async () => {
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    const rows = page.getByTestId('people').locator('tbody tr');
    await expect.poll(() => page.getByTestId('people').innerText().catch(() => '')).toMatch(/Indra Integrator \(ID admin\)\s+integrator\.admin@nusantara\.example\s+Integrator admin/);

    const add = page.getByRole('region', { name: 'Add a person' });
    await add.getByLabel('E-mail').fill('olga.operator@nusantara.example');
    await add.getByLabel('Name').fill('Olga Operator');
    await add.getByLabel('Role').selectOption({ label: 'Integrator viewer' });
    const organisation = add.getByLabel('Integrator organisation');
    await organisation.selectOption({ index: 1 });
    const organisationName = (await organisation.locator('option:checked').innerText()).trim();
    await add.getByLabel(/^Temporary password/).fill('first-day-password-1');
    await add.getByRole('button', { name: 'Add person' }).click();
    await expect.poll(() => page.getByTestId('people-status').innerText().catch(() => '')).toBe('Olga Operator added.');
    const olga = rows.filter({ hasText: 'olga.operator@nusantara.example' });
    const escaped = organisationName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect.poll(() => olga.innerText().catch(() => '')).toMatch(new RegExp(`Olga Operator\\s+olga\\.operator@nusantara\\.example\\s+Integrator viewer\\s+${escaped}`));
    const signInAs = async (password: string) =>
      (await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'olga.operator@nusantara.example', password }) })).status;
    expect(await signInAs('first-day-password-1')).toBe(200);

    await olga.getByRole('button', { name: 'Set a temporary password for Olga Operator' }).click();
    await olga.getByLabel('Temporary password for Olga Operator').fill('second-day-password-2');
    await olga.getByRole('button', { name: 'Set' }).click();
    await expect.poll(() => page.getByTestId('people-status').innerText().catch(() => '')).toMatch(/Olga Operator has a temporary password; their sessions have ended/);
    expect(await signInAs('first-day-password-1')).toBe(401);
    expect(await signInAs('second-day-password-2')).toBe(200);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'people');

    // Another role: the row and the record say so; an admin is offered no role change for themself.
    await olga.getByRole('button', { name: 'Change the role of Olga Operator' }).click();
    await olga.getByLabel('New role for Olga Operator').selectOption({ label: 'Vendor engineer' });
    await olga.getByRole('button', { name: 'Save role' }).click();
    await expect.poll(() => page.getByTestId('people-status').innerText().catch(() => '')).toBe('Olga Operator is now Vendor engineer; their sessions have ended.');
    await expect.poll(() => olga.innerText().catch(() => '')).toMatch(/Olga Operator\s+olga\.operator@nusantara\.example\s+Vendor engineer\s+—/);
    expect(await signInAs('second-day-password-2')).toBe(200);
    const own = rows.filter({ hasText: 'vendor.admin@demo-vendor.example' });
    expect(await own.count()).toBe(1);
    expect(await own.getByRole('button').count()).toBe(0);
    expect(await own.innerText()).toMatch(/you \(another admin changes your role; your password: Account page\)/);

    // Integrator organisations: added, renamed, removed once nothing belongs to it; one in use cannot be.
    const organisations = page.getByRole('region', { name: 'Integrator organisations' });
    await organisations.getByLabel('New organisation').fill('  Pampa Controles ');
    await organisations.getByRole('button', { name: 'Add organisation' }).click();
    await expect.poll(() => organisations.getByRole('status').innerText().catch(() => '')).toMatch(/^Pampa Controles added/);
    const pampa = organisations.locator('tbody tr').filter({ hasText: 'Pampa' });
    await expect.poll(() => pampa.innerText().catch(() => '')).toMatch(/Pampa Controles\s+0\s+0/);
    await pampa.getByRole('button', { name: 'Rename Pampa Controles' }).click();
    await pampa.getByLabel('New name for Pampa Controles').fill('Pampa Controls');
    await pampa.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => organisations.getByRole('status').innerText().catch(() => '')).toBe('Pampa Controles is now Pampa Controls.');
    const inUse = organisations.locator(`tbody tr[data-organization="${organisationName}"]`);
    expect(await inUse.getByRole('button', { name: /^Remove .*\(reassign its \d+ (sites?|person|people)( and \d+ (person|people))? first\)$/ }).isDisabled()).toBe(true);
    await pampa.getByRole('button', { name: 'Remove Pampa Controls' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => organisations.getByRole('status').innerText().catch(() => '')).toBe('Pampa Controls removed.');
    await expect.poll(() => pampa.count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);

    await olga.getByRole('button', { name: 'Remove Olga Operator' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('people-status').innerText().catch(() => '')).toMatch(/Olga Operator removed/);
    await expect.poll(() => olga.count()).toBe(0);
    await page.close();
  }, 60_000);

  it('vendor admin: onboards a plant: adds a site in a new country, enrolls a real agent with the settings the page gives, revokes an unused token, moves the site to another country, relabels and renames the node, revokes and removes it, then removes the site', async () => {
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    const add = page.getByRole('region', { name: 'Add a site' });
    await add.getByLabel('Name').fill('Stuttgart Plant');
    const country = add.getByLabel(/^Country/);
    await country.fill('de');
    // typed in lower case, read back as the code, and named in full before it is sent
    expect(await country.inputValue()).toBe('DE');
    expect(await add.getByTestId('country-name').innerText()).toBe('Germany');
    await add.getByLabel(/^Region/).fill('Baden-Württemberg');
    await add.getByRole('button', { name: 'Add site' }).click();
    await page.waitForURL(/\/sites\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Stuttgart Plant');
    expect(await page.locator('.page-header').innerText()).toMatch(/Germany \(DE\) · Baden-Württemberg/);
    const siteId = page.url().split('/').at(-1)!;
    expect((await stack.api('GET', `/v1/sites/${siteId}`)).body).toMatchObject({ name: 'Stuttgart Plant', country: 'DE', region: 'Baden-Württemberg' });

    const enroll = page.getByRole('region', { name: 'Enroll a gateway' });
    await enroll.getByLabel('Valid for').selectOption({ label: '1 hour' });
    await enroll.getByRole('button', { name: 'Create enrollment token' }).click();
    const settings = await enroll.getByTestId('agent-environment').inputValue();
    expect(settings).toMatch(new RegExp(`^MERIDIAN_CONTROL_PLANE=localhost:${stack.grpcPort}$`, 'm'));
    expect(settings).not.toMatch(/MERIDIAN_TLS_CA_FILE/); // this stack's gRPC port has no TLS
    const setting = (name: string) => settings.match(new RegExp(`^${name}=(\\S+)`, 'm'))![1]!;
    const tokens = enroll.getByTestId('enrollment-tokens');
    await expect.poll(() => tokens.innerText().catch(() => '')).toMatch(/active/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'enroll-gateway');

    // The gateway's agent started with exactly those settings enrolls into the new site.
    const agent = await stack.startAgent('DE', { name: 'gw-de-1', token: setting('MERIDIAN_ENROLLMENT_TOKEN'), env: { MERIDIAN_CONTROL_PLANE: setting('MERIDIAN_CONTROL_PLANE') } });
    const row = page.getByTestId('site-nodes').locator('tr[data-node="gw-de-1"]');
    await expect.poll(() => row.innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/online/);
    await expect.poll(() => tokens.innerText(), { timeout: 10_000 }).toMatch(/used/);

    // A token handed out by mistake is revoked before anyone uses it: the API then refuses it.
    await enroll.getByRole('button', { name: 'Create enrollment token' }).click();
    await expect.poll(() => enroll.getByTestId('agent-environment').inputValue()).not.toBe(settings);
    const unused = (await enroll.getByTestId('agent-environment').inputValue()).match(/^MERIDIAN_ENROLLMENT_TOKEN=(\S+)/m)![1]!;
    await tokens.getByRole('button', { name: /^Revoke the token/ }).click();
    await expect.poll(() => enroll.getByRole('status').innerText().catch(() => '')).toMatch(/Token revoked/);
    await expect.poll(() => tokens.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/revoked/), expect.stringMatching(/used/)]);
    const listed = (await stack.api('GET', `/v1/enrollment-tokens?siteId=${siteId}`)).body.items as { status: string }[];
    expect(listed.map((t) => t.status).sort()).toEqual(['revoked', 'used']);
    expect(unused).toMatch(/^me/);

    // Moved to another country after a confirmation naming both: the site, and the record of who moved it, say so.
    await page.getByRole('button', { name: 'Edit site' }).click();
    const edit = page.getByRole('region', { name: 'Edit site' });
    await edit.getByLabel(/^Country/).fill('AT');
    await edit.getByRole('button', { name: 'Save' }).click();
    const move = page.getByRole('dialog');
    expect(await move.innerText()).toMatch(/Move Stuttgart Plant to Austria \(AT\)\?[\s\S]*stop enforcing the Germany \(DE\) overlay/);
    await move.getByRole('button', { name: 'Move site' }).click();
    await expect.poll(() => page.getByTestId('site-saved').innerText().catch(() => '')).toMatch(/now in Austria \(AT\)/);
    await expect.poll(() => page.locator('.page-header').innerText()).toMatch(/Austria \(AT\)/);
    const moved = (await stack.api('GET', '/v1/audit/events?type=admin.site.changed')).body.items as { siteId: string; event: { data: { changes: unknown } } }[];
    expect(moved.find((e) => e.siteId === siteId)?.event.data.changes).toEqual({ country: { from: 'DE', to: 'AT' } });

    // Relabelled from its page (rollouts choose nodes by labels); a malformed entry is named, not sent.
    await row.getByRole('link', { name: 'gw-de-1' }).click();
    await page.getByRole('button', { name: 'Edit labels' }).click();
    const labels = page.getByLabel(/^Labels/);
    await labels.fill('line=b, north');
    await page.getByRole('button', { name: 'Save labels' }).click();
    await expect.poll(() => page.getByRole('alert').innerText().catch(() => '')).toMatch(/"north" is not key=value/);
    await labels.fill('line=b, zone=north');
    await page.getByRole('button', { name: 'Save labels' }).click();
    await expect.poll(() => page.getByTestId('node-labels').innerText()).toMatch(/line=b\s*zone=north/);
    expect((await stack.api('GET', `/v1/nodes/${agent.nodeId}`)).body.labels).toEqual({ line: 'b', zone: 'north' });

    // Renamed: the page and the API use the new name; the node keeps its id, and the record says who renamed it.
    await page.getByRole('button', { name: 'Rename' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('   ');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => page.getByRole('alert').innerText().catch(() => '')).toMatch(/A node needs a name/);
    await name.fill('gw-de-stuttgart-1');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('gw-de-stuttgart-1');
    expect((await stack.api('GET', `/v1/nodes/${agent.nodeId}`)).body.name).toBe('gw-de-stuttgart-1');
    const renamed = (await stack.api('GET', '/v1/audit/events?type=admin.node.changed')).body.items as { event: { actor: { id: string }; data: { nodeId: string; changes: unknown } } }[];
    expect(renamed.find((e) => e.event.data.nodeId === agent.nodeId && 'name' in (e.event.data.changes as object))?.event.data.changes).toEqual({ name: { from: 'gw-de-1', to: 'gw-de-stuttgart-1' } });

    // The node is cut off from its page, after a confirmation that says what that does.
    await page.getByRole('button', { name: 'Revoke node' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toMatch(/cannot be undone[\s\S]*enrolling again with a new token/);
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.getByTestId('node-revoked').innerText().catch(() => '')).toMatch(/^Revoked .*can no longer connect/);
    expect(await page.getByRole('button', { name: 'Revoke node' }).count()).toBe(0);
    await agent.process.waitFor(/control plane refused this node/, 10_000);
    expect((await agent.local('GET', '/v1/status')).body.connected).toBe(false);
    expect((await stack.api('GET', `/v1/nodes/${agent.nodeId}`)).body.status).toBe('revoked');

    // The revoked node is removed from the fleet: back on its site, which no node holds any more.
    await page.getByRole('button', { name: 'Remove node' }).click();
    expect(await page.getByRole('dialog').innerText()).toMatch(/Remove gw-de-stuttgart-1 from the fleet\?[\s\S]*audit trail stays/);
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`/sites/${siteId}$`));
    expect((await stack.api('GET', `/v1/nodes/${agent.nodeId}`)).status).toBe(404);

    // The fleet lists the site under the country it was moved to.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fleet' }).click();
    await expect.poll(() => page.getByTestId('country-AT').innerText().catch(() => '')).toMatch(/Stuttgart Plant/);
    expect(await page.getByTestId('country-DE').innerText().catch(() => '')).not.toMatch(/Stuttgart Plant/);

    // The plant is closed: the empty site is removed, and the record says by whom.
    await page.getByTestId('country-AT').getByRole('link', { name: 'Stuttgart Plant' }).click();
    await page.getByRole('button', { name: 'Remove site' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.url()).toMatch(/\/fleet$/);
    expect((await stack.api('GET', `/v1/sites/${siteId}`)).status).toBe(404);
    const removed = (await stack.api('GET', '/v1/audit/events?type=admin.site.removed')).body.items as { event: { data: { siteId: string; name: string } } }[];
    expect(removed.find((e) => e.event.data.siteId === siteId)?.event.data.name).toBe('Stuttgart Plant');
    await page.close();
  }, 90_000);

  it('vendor admin: API keys: a key is shown once with how to use it, works against the API with its role, and is refused once revoked', async () => {
    const page = await browser.page();
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();

    const create = page.getByRole('region', { name: 'Create a key' });
    await create.getByLabel(/^Name/).fill('release-pipeline');
    await create.getByLabel('Acts as').selectOption({ label: 'Vendor engineer' });
    await create.getByLabel('Valid for').selectOption({ label: '30 days' });
    await create.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => page.getByTestId('api-keys-status').innerText().catch(() => '')).toBe('Key release-pipeline created.');
    const usage = await page.getByTestId('api-key-usage').inputValue();
    const key = usage.match(/x-api-key: (mk_[A-Za-z0-9_-]+)/)![1]!;
    expect(await page.getByTestId('new-api-key').innerText()).toMatch(/shown only this once[\s\S]*acts as Vendor engineer until/);
    const row = page.getByTestId('api-keys').locator('tr[data-api-key="release-pipeline"]');
    await expect.poll(() => row.innerText().catch(() => '')).toMatch(new RegExp(`release-pipeline\\s+${key.slice(0, 12)}…\\s+Vendor engineer\\s+active`));
    expect(await page.getByTestId('api-keys').innerText()).not.toContain(key);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'api-keys');

    // The key acts as an engineer: it reads the fleet, and may not manage keys.
    const withKey = (path: string) => fetch(`${base}${path}`, { headers: { 'x-api-key': key } }).then((r) => r.status);
    expect(await withKey('/v1/sites')).toBe(200);
    expect(await withKey('/v1/api-keys')).toBe(403);
    const lastUsed = row.locator('td').nth(6);
    expect(await lastUsed.innerText()).toBe('never');
    await page.reload();
    await expect.poll(() => lastUsed.innerText().catch(() => 'never'), { timeout: 10_000 }).toMatch(/ago|just now/);

    await row.getByRole('button', { name: 'Revoke the key release-pipeline' }).click();
    expect(await page.getByRole('dialog').innerText()).toMatch(/refused from the next one on[\s\S]*cannot be undone/);
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.getByTestId('api-keys-status').innerText().catch(() => '')).toMatch(/Key release-pipeline revoked/);
    await expect.poll(() => row.innerText().catch(() => '')).toMatch(/revoked/);
    expect(await row.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);
    expect(await withKey('/v1/sites')).toBe(401);
    await page.close();
  }, 60_000);

  it('account: a person changes their own password; the next sign-in needs the new one', async () => {
    const admin = await stack.login('vendor.admin@demo-vendor.example');
    const email = 'portal.password@demo-vendor.example';
    expect((await stack.api('POST', '/v1/users', { email, displayName: 'Pat Password', password: 'first-password-1', role: 'auditor' }, admin)).status).toBe(201);
    const page = await browser.page();
    await signIn(page, base, email, 'first-password-1');
    await page.getByRole('link', { name: /^Account: Pat Password/ }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect(await page.getByRole('main').innerText()).toMatch(/Pat Password \(portal\.password@demo-vendor\.example\), Auditor/);

    // A wrong current password: the API's reason, nothing changed.
    await page.getByLabel('Current password').fill('not-the-password');
    await page.getByLabel(/^New password \(at least 12/).fill('second-password-2');
    await page.getByLabel('New password again').fill('second-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('main').innerText()).toMatch(/the current password is not right/);
    // The two new ones must agree before anything is sent.
    await page.getByLabel('Current password').fill('first-password-1');
    await page.getByLabel('New password again').fill('second-password-3');
    expect(await page.getByRole('alert').filter({ hasText: 'The two new passwords differ.' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Change password' }).isDisabled()).toBe(true);
    await page.getByLabel('New password again').fill('second-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByTestId('password-changed').innerText().catch(() => '')).toMatch(/Password changed/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'account-password');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('E-mail').waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('first-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText().catch(() => '')).toMatch(/wrong e-mail or password/);
    await signIn(page, base, email, 'second-password-2');
    await page.close();
  }, 60_000);

  it('is usable on a phone-sized screen: the navigation collapses behind a menu button', async () => {
    const page = await browser.page();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, base, 'vendor.admin@demo-vendor.example');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await nav.isVisible()).toBe(true);
    await nav.getByRole('link', { name: 'Governance' }).click();
    await page.getByRole('heading', { name: 'Governance', level: 1 }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'governance-mobile');
    await page.close();
  }, 60_000);
});
