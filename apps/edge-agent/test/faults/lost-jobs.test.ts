import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditExportStream } from '@meridian/audit';
import type { BundlePayload } from '@meridian/governance';
import { startStack, waitFor, type TestAgentProcess, type TestStack } from '../stack';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Work that a job only prompts is recorded in PostgreSQL first: a publish (its release) and an audit
 * export (its row). When Redis loses the job (restarted without persistence while the worker was
 * down), the worker's sweeps carry the work out anyway. And a compile that is not a publish (consent,
 * a new site) uses what is in force, never a draft.
 */
describe('work whose job Redis lost is carried out from PostgreSQL (real control plane, worker, agent, Redis)', () => {
  const queuePrefix = `meridian-test-compile-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisUrl);
  let stack: TestStack;
  let agent: TestAgentProcess;

  const policyVersion = async () => (await agent.local('GET', '/v1/status')).body.policyVersion as number;
  /** What a Redis restarted without persistence leaves of this deployment's queues: nothing. */
  const loseQueuedJobs = async (queue: string) => {
    const keys = await redis.keys(`${queuePrefix}:*`);
    expect(keys.some((key) => key.startsWith(`${queuePrefix}:${queue}:`))).toBe(true);
    await redis.del(...keys);
  };
  const latestBundle = async () => {
    const bundle = await stack.owner.policyBundle.findFirstOrThrow({ where: { siteId: stack.siteIds.ID }, orderBy: { version: 'desc' } });
    return { version: bundle.version, payload: JSON.parse(bundle.payload) as BundlePayload };
  };
  /** Saves the base policy again as a new version (same rules), as an edit would. */
  const saveBase = async (comment: string) => {
    const head = await stack.owner.policyVersion.findFirstOrThrow({ where: { scope: 'base' }, orderBy: { version: 'desc' } });
    const saved = await stack.api('PUT', '/v1/policies/base', { document: head.document, comment });
    expect(saved.status).toBe(200);
    return saved.body.version as number;
  };

  beforeAll(async () => {
    stack = await startStack('lost_jobs', { worker: true, env: { QUEUE_PREFIX: queuePrefix, POLICY_RECONCILE_INTERVAL_SECONDS: '1', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1' } });
    const token = await stack.api('POST', '/v1/enrollment-tokens', { siteId: stack.siteIds.ID });
    agent = await stack.startAgent('ID', { token: token.body.token });
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202); // the seeded policies
    await waitFor(async () => (await policyVersion()) > 0, 30_000);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('compiles a publish whose job Redis lost, once the worker is back, and the agent applies it', async () => {
    await stack.worker!.stop('SIGKILL');
    const baseVersion = await saveBase('edited while the worker is down');
    const before = await policyVersion();
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202);
    expect(await stack.owner.policyRelease.count({ where: { compiledAt: null, baseVersion } })).toBeGreaterThan(0);

    await loseQueuedJobs('governance');

    stack.worker = await stack.startWorker();
    await waitFor(async () => (await policyVersion()) > before, 20_000);
    const bundle = await latestBundle();
    expect(bundle.payload.sources.baseVersion).toBe(baseVersion);
    expect(await policyVersion()).toBe(bundle.version);
    expect(await stack.owner.policyRelease.count({ where: { compiledAt: null } })).toBe(0);
  }, 60_000);

  it('finishes an audit export whose job Redis lost, once the worker is back', async () => {
    const auditor = await stack.login('auditor@audit-firm.example');
    await waitFor(async () => (await stack.owner.auditCheckpoint.count()) > 0, 20_000); // something to export
    await stack.worker!.stop('SIGKILL');
    const requested = await stack.api('POST', '/v1/audit/exports', undefined, auditor);
    expect(requested.status).toBe(202);
    await loseQueuedJobs('audit');

    stack.worker = await stack.startWorker();
    let view: { status: string; eventCount?: number } = { status: 'queued' };
    await waitFor(async () => {
      view = (await stack.api('GET', `/v1/audit/exports/${requested.body.id}`, undefined, auditor)).body;
      return view.status === 'completed' || view.status === 'failed';
    }, 30_000);
    expect(view).toMatchObject({ status: 'completed' });
    expect(view.eventCount).toBeGreaterThan(0);
    // and it is the whole file: downloaded (gzip'd JSON Lines), it verifies
    const download = await fetch(`http://127.0.0.1:${stack.httpPort}/v1/audit/exports/${requested.body.id}/download`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(download.status).toBe(200);
    const file = gunzipSync(Buffer.from(await download.arrayBuffer())).toString('utf8');
    expect(await verifyAuditExportStream(file.slice(0, -1).split('\n'))).toMatchObject({ ok: true, events: view.eventCount, treeSize: view.eventCount });
  }, 60_000);

  it('compiles a consent change with the policies in force, not with a saved draft', async () => {
    const inForce = (await latestBundle()).payload.sources.baseVersion;
    const draft = await saveBase('a draft nobody published');
    expect(draft).toBeGreaterThan(inForce!);
    const before = await policyVersion();

    const integrator = await stack.login('integrator.admin@nusantara.example');
    const consent = await stack.api('PUT', `/v1/sites/${stack.siteIds.ID}/consent`, { flags: { vendor_remote_diagnostics: true } }, integrator);
    expect(consent.status).toBe(200);
    await waitFor(async () => (await policyVersion()) > before, 20_000);
    const bundle = await latestBundle();
    expect(bundle.payload.consent.vendor_remote_diagnostics).toBe(true);
    expect(bundle.payload.sources.baseVersion).toBe(inForce);

    // The sweep, firing every second, finds nothing pending and makes no new version.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await latestBundle()).version).toBe(bundle.version);
    expect(await stack.owner.policyRelease.count({ where: { compiledAt: null } })).toBe(0);
  }, 60_000);

  it('gives a new site the bundle of its country at once, and recompiles a site moved to another country', async () => {
    const inForce = await stack.owner.policyRelease.findFirstOrThrow({ where: { country: 'ID' }, orderBy: { id: 'desc' } });
    const created = await stack.api('POST', '/v1/sites', { name: 'Surabaya plant', country: 'ID' });
    expect(created.status).toBe(201);
    const bundleOf = async () => {
      const bundle = await stack.owner.policyBundle.findFirst({ where: { siteId: created.body.id }, orderBy: { version: 'desc' } });
      return bundle ? (JSON.parse(bundle.payload) as BundlePayload) : undefined;
    };
    await waitFor(async () => (await bundleOf()) !== undefined, 20_000);
    expect(await bundleOf()).toMatchObject({ country: 'ID', sources: { baseVersion: inForce.baseVersion, overlayVersion: inForce.overlayVersion } });

    expect((await stack.api('PATCH', `/v1/sites/${created.body.id}`, { country: 'CL' })).status).toBe(200);
    await waitFor(async () => (await bundleOf())?.country === 'CL', 20_000);
    const chile = await stack.owner.policyRelease.findFirstOrThrow({ where: { country: 'CL' }, orderBy: { id: 'desc' } });
    expect((await bundleOf())!.sources).toEqual({ baseVersion: chile.baseVersion, overlayVersion: chile.overlayVersion });
  }, 60_000);
});
