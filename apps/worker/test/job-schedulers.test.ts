import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { keepJobScheduler } from '../src/job-schedulers';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('keepJobScheduler (real Redis)', () => {
  const prefix = `meridian-test-schedulers-${randomBytes(4).toString('hex')}`;
  const { hostname, port } = new URL(redisUrl);
  const queue = new Queue('sweeps', { prefix, connection: { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null } });
  const admin = new Redis(redisUrl);

  afterAll(async () => {
    await queue.close();
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('registers the scheduler again when the connection comes back to a Redis that lost its data', async () => {
    const logged: string[] = [];
    const logger = { log: (_: unknown, message: string) => logged.push(message), warn: (_: unknown, message: string) => logged.push(message) };
    await keepJobScheduler(queue, 'sweep', { every: 60_000 }, { name: 'sweep', data: { what: 'everything' } }, logger);
    expect((await queue.getJobScheduler('sweep'))?.every).toBe(60_000);

    // What a restart without persistence leaves: none of the queue's keys, then a reconnect.
    const keys = await admin.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await admin.del(...keys);
    expect(await queue.getJobScheduler('sweep')).toBeUndefined();
    (await queue.getBackend().client).disconnect(true);

    const deadline = Date.now() + 10_000;
    while (!(await queue.getJobScheduler('sweep').catch(() => undefined)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const restored = await queue.getJobScheduler('sweep');
    expect(restored).toMatchObject({ every: 60_000, name: 'sweep', template: { data: { what: 'everything' } } });
    expect(logged).toContain('job scheduler registered again after the Redis connection came back');
    // Only one scheduler, however often the connection came back.
    expect(await queue.getJobSchedulersCount()).toBe(1);
  });
});
