import { createHmac, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { constantTimeEqual } from '@meridian/crypto';
import { InjectConfig } from '../config/config.module';
import { InjectRedis } from '../redis/redis.module';
import type { Principal } from '../auth/principal';
import { unauthorized } from '../common/problem';
import type { TenantContext } from '../prisma/prisma.service';

/** How long a link may wait before it is followed: long enough for a click, short enough not to matter in a log. */
export const DOWNLOAD_LINK_SECONDS = 60;

interface LinkClaims {
  /** The export. */
  e: string;
  t: string;
  u: string | null;
  /** Expiry, epoch milliseconds. */
  x: number;
  /** Makes each link once-only. */
  n: string;
}

/**
 * Short-lived, single-use links to download one audit export without an Authorization header, so a
 * browser can save a multi-gigabyte bundle straight to disk instead of holding it in memory (a fetch
 * with a bearer token can only hand the page a Blob). Issued to a caller who may download that export;
 * the link names the export, the tenant and the user, expires after DOWNLOAD_LINK_SECONDS and works
 * once (marked used in Redis). Signed with a key derived from JWT_SECRET.
 */
@Injectable()
export class DownloadLinks {
  private readonly key: Buffer;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectRedis() private readonly redis: Redis,
  ) {
    this.key = createHmac('sha256', config.auth.jwtSecret).update('meridian audit export download link v1').digest();
  }

  issue(principal: Principal, exportId: string, now = Date.now()): { token: string; expiresAt: Date } {
    const claims: LinkClaims = { e: exportId, t: principal.tenantId, u: principal.userId ?? null, x: now + DOWNLOAD_LINK_SECONDS * 1000, n: randomUUID() };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${body}.${this.sign(body)}`, expiresAt: new Date(claims.x) };
  }

  /** The tenant and user the link was issued to, once: a second use, a link for another export, an expired or altered one are refused. */
  async redeem(token: string, exportId: string, now = Date.now()): Promise<TenantContext> {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) throw invalidLink();
    if (!constantTimeEqual(signature, this.sign(body))) throw invalidLink();
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
    if (claims.e !== exportId) throw invalidLink();
    if (claims.x <= now) throw unauthorized('download link expired: ask for a new one');
    const first = await this.redis.set(`${this.config.redis.queuePrefix}:download-link:${claims.n}`, '1', 'PX', Math.max(1, claims.x - now), 'NX');
    if (first !== 'OK') throw unauthorized('download link already used: ask for a new one');
    return { tenantId: claims.t, userId: claims.u ?? undefined };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

const invalidLink = () => unauthorized('not a valid download link for this export');
