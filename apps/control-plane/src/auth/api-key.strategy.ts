import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { sha256Hex } from '@meridian/crypto';
import { SystemPrisma } from '../prisma/prisma.service';
import type { Principal } from './principal';

export const API_KEY_PREFIX = 'mk';

/** `X-API-Key: mk_...` or `Authorization: Bearer mk_...`. Keys are stored as sha256; a revoked key fails at once. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly system: SystemPrisma) {
    super();
  }

  async validate(request: Request): Promise<Principal | false> {
    const key = extractApiKey(request);
    if (!key) return false;
    const row = await this.system.client.apiKey.findUnique({ where: { keyHash: sha256Hex(key) } });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) return false;
    // Recorded at most once a minute per key, so automation does not turn reads into writes.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      void this.system.client.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    return { kind: 'api_key', subjectId: row.id, userId: undefined, tenantId: row.tenantId, role: row.role, integratorOrgId: row.integratorOrgId };
  }
}

function extractApiKey(request: Request): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.startsWith(`${API_KEY_PREFIX}_`)) return header;
  const authorization = request.headers.authorization;
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  return bearer?.startsWith(`${API_KEY_PREFIX}_`) ? bearer : undefined;
}
