import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { takeTokens } from './token-bucket';

// The bucket is a Lua script in Redis; these run against the same Redis the integration tests use.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
const redisUp = await redis.connect().then(
  () => true,
  () => false,
);
const prefix = `spec-${randomBytes(6).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  if (redisUp) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

describe.runIf(redisUp)('takeTokens', () => {
  let n = 0;
  const bucket = (capacity: number, refillMs: number) => ({ key: `${prefix}:bucket-${(n += 1)}`, capacity, refillMs });

  it('takes a cost of many tokens all or nothing, and says when that many are back', async () => {
    const b = bucket(10, 100);
    expect(await takeTokens(redis, b, 7)).toMatchObject({ allowed: true });
    const refused = await takeTokens(redis, b, 5);
    expect(refused.allowed).toBe(false);
    // 3 left, 2 more needed: 200 ms at 100 ms a token (less the part of a token already earned)
    expect(refused.waitMs).toBeGreaterThan(100);
    expect(refused.waitMs).toBeLessThanOrEqual(200);
    // the refusal took nothing: the 3 are still there
    expect(await takeTokens(redis, b, 3)).toMatchObject({ allowed: true });
    expect(await takeTokens(redis, b, 1)).toMatchObject({ allowed: false });
  });

  it('refills faster than a token per millisecond (fractional interval), with whole-millisecond expiry and waits', async () => {
    const b = bucket(1000, 0.5); // 2,000 a second
    expect(await takeTokens(redis, b, 1000)).toMatchObject({ allowed: true });
    const refused = await takeTokens(redis, b, 1000);
    expect(refused.allowed).toBe(false);
    expect(Number.isInteger(refused.waitMs)).toBe(true);
    expect(refused.waitMs).toBeGreaterThan(400);
    expect(refused.waitMs).toBeLessThanOrEqual(500);
    const ttl = await redis.pttl(b.key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(501);
    await sleep(refused.waitMs);
    expect(await takeTokens(redis, b, 1000)).toMatchObject({ allowed: true });
  });

  it('keeps the one-token semantics the enrollment limiter relies on', async () => {
    const b = bucket(2, 60_000);
    expect(await takeTokens(redis, b, 1)).toMatchObject({ allowed: true });
    expect(await takeTokens(redis, b, 1)).toMatchObject({ allowed: true });
    const refused = await takeTokens(redis, b, 1);
    expect(refused.allowed).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(59_000);
    expect(refused.waitMs).toBeLessThanOrEqual(60_000);
    expect(await takeTokens(redis, b, -1)).toMatchObject({ allowed: false }); // gives one back
    expect(await takeTokens(redis, b, 0)).toMatchObject({ allowed: true, waitMs: 0 }); // looks: one is there
    expect(await takeTokens(redis, b, 1)).toMatchObject({ allowed: true });
  });
});
