import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import type { Principal } from '../auth/principal';
import { DOWNLOAD_LINK_SECONDS, DownloadLinks } from './download-links';

// Links are marked used in Redis: these run against the same Redis the integration tests use.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefix = `spec-${randomBytes(6).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

/** A 401 problem whose detail says why. */
const refused = (detail: RegExp) => ({ status: 401, response: { status: 401, detail: expect.stringMatching(detail) } });
const config = (jwtSecret: string) => ({ auth: { jwtSecret }, redis: { queuePrefix: prefix } }) as unknown as AppConfig;
const principal = { kind: 'user', subjectId: 'u1', userId: 'u1', tenantId: 't1', role: 'auditor', integratorOrgId: null } as unknown as Principal;

describe('DownloadLinks', () => {
  const links = new DownloadLinks(config('secret-a'), redis);

  it('opens its export once, for the tenant and user it was issued to', async () => {
    const { token, expiresAt } = links.issue(principal, 'export-1', 1_000_000);
    expect(expiresAt.getTime()).toBe(1_000_000 + DOWNLOAD_LINK_SECONDS * 1000);
    await expect(links.redeem(token, 'export-1', 1_000_500)).resolves.toEqual({ tenantId: 't1', userId: 'u1' });
    await expect(links.redeem(token, 'export-1', 1_000_600)).rejects.toMatchObject(refused(/already used/));
  });

  it('refuses an expired link, one for another export, one signed with another secret, and altered claims', async () => {
    const { token } = links.issue(principal, 'export-2', 1_000_000);
    await expect(links.redeem(token, 'export-2', 1_000_000 + DOWNLOAD_LINK_SECONDS * 1000)).rejects.toMatchObject(refused(/expired/));
    await expect(links.redeem(token, 'export-3', 1_000_001)).rejects.toMatchObject(refused(/not a valid download link/));
    await expect(new DownloadLinks(config('secret-b'), redis).redeem(token, 'export-2', 1_000_001)).rejects.toMatchObject(refused(/not a valid download link/));
    const [body, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, t: 'another-tenant' })).toString('base64url');
    await expect(links.redeem(`${forged}.${signature}`, 'export-2', 1_000_001)).rejects.toMatchObject(refused(/not a valid download link/));
    for (const garbage of ['', 'x', 'a.b.c', `${body}.`]) await expect(links.redeem(garbage, 'export-2', 1_000_001)).rejects.toMatchObject(refused(/not a valid download link/));
    // None of those used it up.
    await expect(links.redeem(token, 'export-2', 1_000_001)).resolves.toMatchObject({ tenantId: 't1' });
  });
});
