import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { QUEUES } from '@meridian/jobs';
import { call, startHarness, type Harness } from './harness';
import { spawnNode, type Spawned } from './processes';

/** API -> Redis -> the separate worker process -> result visible through the API. */
describe('job path', () => {
  let h: Harness;
  let worker: Spawned;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  beforeAll(async () => {
    h = await startHarness('jobs');
    worker = spawnNode('apps/worker/dist/main.js', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: h.db.ownerUrl,
      APP_DATABASE_URL: h.db.appUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: h.config.redis.queuePrefix,
    });
    await worker.waitFor(/worker ready/);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    if (!h) return; // the harness did not start; its own error is the one to read
    // The API first: its queues write their meta keys again until they are closed.
    await h.close();
    const redis = new Redis(redisUrl);
    for await (const keys of redis.scanStream({ match: `${h.config.redis.queuePrefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('expires lapsed enrollment tokens of the requesting tenant only, in the worker process', async () => {
    const { a, b } = h.tenants;
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await h.owner.enrollmentToken.createMany({
      data: [
        { tenantId: a.id, siteId: a.siteIds.ID!, tokenHash: 'lapsed-1', expiresAt: past },
        { tenantId: a.id, siteId: a.siteIds.CL!, tokenHash: 'lapsed-2', expiresAt: past },
        { tenantId: a.id, siteId: a.siteIds.ID!, tokenHash: 'valid-1', expiresAt: future },
        { tenantId: b.id, siteId: b.siteIds.DE!, tokenHash: 'lapsed-b', expiresAt: past },
      ],
    });
    const admin = await h.token('a', Role.vendor_admin);
    const queued = await call(h, 'POST', '/v1/jobs/expire-enrollment-tokens', { token: admin });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ name: 'expire-enrollment-tokens', state: 'waiting', maxAttempts: 5 });

    const job = await poll(async () => {
      const response = await call(h, 'GET', `/v1/jobs/${queued.body.id}`, { token: admin });
      return response.body.state === 'completed' ? response.body : undefined;
    });
    expect(job.result).toMatchObject({ expired: 2 });
    // the worker's log line may arrive a moment after the state the API reads
    await worker.waitFor(new RegExp(`job completed.*${queued.body.id}|${queued.body.id}.*job completed`), 10_000);

    const expired = await call(h, 'GET', '/v1/enrollment-tokens?status=expired', { token: admin });
    expect(expired.body.items).toHaveLength(2);
    expect(await h.owner.enrollmentToken.findUnique({ where: { tokenHash: 'valid-1' } })).toMatchObject({ status: 'active' });
    expect(await h.owner.enrollmentToken.findUnique({ where: { tokenHash: 'lapsed-b' } })).toMatchObject({ status: 'active' });

    // other tenants cannot see the job; auditors cannot start one
    expect((await call(h, 'GET', `/v1/jobs/${queued.body.id}`, { token: await h.token('b', Role.vendor_admin) })).status).toBe(404);
    expect((await call(h, 'POST', '/v1/jobs/expire-enrollment-tokens', { token: await h.token('a', Role.auditor) })).status).toBe(403);
  });

  it('lists failed jobs (the dead-letter view) and retries them', async () => {
    const queue = new Queue(QUEUES.housekeeping, { connection: { url: redisUrl }, prefix: h.config.redis.queuePrefix });
    const jobId = randomUUID();
    await queue.add('no-such-job', { tenantId: h.tenants.a.id }, { jobId, attempts: 1 });
    await queue.close();
    const admin = await h.token('a', Role.vendor_admin);
    const failed = await poll(async () => {
      const response = await call(h, 'GET', '/v1/jobs?state=failed', { token: admin });
      return response.body.items.find((j: { id: string }) => j.id === jobId);
    });
    expect(failed).toMatchObject({ state: 'failed', failedReason: expect.stringMatching(/no handler/) });
    expect((await call(h, 'GET', '/v1/jobs?state=failed', { token: await h.token('b', Role.vendor_admin) })).body.items).toEqual([]);
    const retried = await call(h, 'POST', `/v1/jobs/${jobId}/retry`, { token: admin });
    expect(retried.status).toBe(202);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await worker.stop('SIGTERM')).toBe(0);
  });
});

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('timed out waiting');
}
