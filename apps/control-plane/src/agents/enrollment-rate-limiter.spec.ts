import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { AppConfig } from '@meridian/config';
import { EnrollmentRateLimiter, peerAddress } from './enrollment-rate-limiter';

describe('peerAddress', () => {
  it('keys the enrollment bucket by address, not by port', () => {
    expect(peerAddress('127.0.0.2:51234')).toBe('127.0.0.2');
    expect(peerAddress('ipv4:10.1.2.3:443')).toBe('10.1.2.3');
    expect(peerAddress('[::1]:50051')).toBe('::1');
    expect(peerAddress('ipv6:[2001:db8::7]:1')).toBe('2001:db8::7');
    expect(peerAddress('unix:/tmp/sock')).toBe('unix:/tmp/sock');
    expect(peerAddress('')).toBe('unknown');
  });
});

// The bucket lives in Redis (a Lua script); these run against the same Redis the integration tests use.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
const redisUp = await redis.connect().then(
  () => true,
  () => false,
);

describe.runIf(redisUp)('EnrollmentRateLimiter', () => {
  const prefix = `spec-${randomBytes(6).toString('hex')}`;
  const limiter = (burst: number) =>
    new EnrollmentRateLimiter(redis, { redis: { queuePrefix: prefix }, agents: { enrollFailureBurst: burst, enrollFailureRefillSeconds: 60 } } as unknown as AppConfig);
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: number }) => (e.code === GrpcStatus.RESOURCE_EXHAUSTED ? 'exhausted' : String(e)));

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('lets exactly `burst` parallel reservations through', async () => {
    const l = limiter(5);
    const results = await Promise.all(Array.from({ length: 40 }, () => code(l.reserve('10.0.0.1'))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'exhausted')).toHaveLength(35);
    // another address has its own bucket
    await expect(l.reserve('10.0.0.2')).resolves.toBeUndefined();
  });

  it('gives a refunded try back, never beyond the burst', async () => {
    const l = limiter(2);
    await l.refund('10.0.1.1'); // refund on a full bucket stays at the burst
    await l.reserve('10.0.1.1');
    await l.reserve('10.0.1.1');
    await expect(l.reserve('10.0.1.1')).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, message: expect.stringMatching(/too many failed enrollment attempts from this address; retry in \d+ s/) });
    await l.refund('10.0.1.1');
    await expect(l.reserve('10.0.1.1')).resolves.toBeUndefined();
    await expect(l.reserve('10.0.1.1')).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
  });
});
