import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ConfigError, loadConfig, MIN_AUDIT_BURST_EVENTS, type AppConfig } from '@meridian/config';
import { MAX_AUDIT_BATCH } from '@meridian/protocol';
import { AuditUploadQuota } from './audit-upload-quota';
import { RETRY_AFTER_METADATA } from './rate-limited';

// The quota's bucket lives in Redis; these run against the same Redis the integration tests use.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
const redisUp = await redis.connect().then(
  () => true,
  () => false,
);
const prefix = `spec-${randomBytes(6).toString('hex')}`;

afterAll(async () => {
  if (redisUp) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

describe('AuditUploadQuota', () => {
  const config = (perSecond: number, burst: number) =>
    ({ redis: { queuePrefix: prefix }, agents: { auditEventsPerSecond: perSecond, auditBurstEvents: burst } }) as unknown as AppConfig;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses to start with a burst smaller than the largest audit batch', () => {
    expect(MIN_AUDIT_BURST_EVENTS).toBe(MAX_AUDIT_BATCH);
    expect(() => loadConfig({ AGENT_AUDIT_BURST_EVENTS: String(MAX_AUDIT_BATCH - 1) })).toThrow(ConfigError);
    expect(() => loadConfig({ AGENT_AUDIT_BURST_EVENTS: String(MAX_AUDIT_BATCH - 1) })).toThrow(/AGENT_AUDIT_BURST_EVENTS.*largest audit batch/s);
    expect(loadConfig({ AGENT_AUDIT_BURST_EVENTS: String(MAX_AUDIT_BATCH) }).agents.auditBurstEvents).toBe(MAX_AUDIT_BATCH);
  });

  it.runIf(redisUp)('charges events per node and refuses with RESOURCE_EXHAUSTED and a retry hint', async () => {
    const quota = new AuditUploadQuota(redis, config(100, 1000));
    await quota.take('node-a', 600);
    await quota.take('node-a', 300);
    const refusal = await quota.take('node-a', 300).then(
      () => undefined,
      (error: { code: number; message: string; metadata: { get(key: string): unknown[] } }) => error,
    );
    expect(refusal?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(refusal?.message).toMatch(/audit upload rate of this node exceeded \(100 events\/s, burst 1000\): nothing of this batch of 300 events was stored; retry in [\d.]+ s/);
    const retryAfterMs = Number(refusal?.metadata.get(RETRY_AFTER_METADATA)[0]);
    expect(retryAfterMs).toBeGreaterThan(1_000);
    expect(retryAfterMs).toBeLessThanOrEqual(2_000);
    // another node has its own bucket
    await expect(quota.take('node-b', 1000)).resolves.toBeUndefined();
  });

  it('lets uploads through when Redis is unreachable, warning once per interval rather than per batch', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    down.on('error', () => undefined);
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const quota = new AuditUploadQuota(down, config(1, 1000));
    for (let i = 0; i < 20; i += 1) await expect(quota.take('node-c', 1000)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[1])).toMatch(/audit upload quota unavailable/);
    down.disconnect();
  });
});
