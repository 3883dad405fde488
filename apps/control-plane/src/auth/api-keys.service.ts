import { Injectable } from '@nestjs/common';
import { recordChange } from '../audit/record';
import { generateSecret, sha256Hex } from '@meridian/crypto';
import type { ApiKey } from '@meridian/db';
import { keyset, toPage, type Page, type PageQuery } from '../common/pagination';
import { badRequest, notFound } from '../common/problem';
import { TenantPrisma } from '../prisma/prisma.service';
import { requireOrganizationForRole } from '../tenancy/organizations.service';
import { API_KEY_PREFIX } from './api-key.strategy';
import type { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto';
import { tenantContext, type Principal } from './principal';

@Injectable()
export class ApiKeysService {
  constructor(private readonly db: TenantPrisma) {}

  async create(principal: Principal, input: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt <= new Date()) throw badRequest('expiresAt is in the past', [{ path: 'expiresAt', message: 'must be in the future' }]);
    const key = generateSecret(API_KEY_PREFIX);
    const row = await this.db.run(tenantContext(principal), async (tx) => {
      const integratorOrgId = await requireOrganizationForRole(tx, input.role, input.integratorOrgId);
      const created = await tx.apiKey.create({
        data: {
          tenantId: principal.tenantId,
          name: input.name,
          role: input.role,
          integratorOrgId,
          prefix: key.slice(0, 12),
          keyHash: sha256Hex(key),
          expiresAt,
          createdByUserId: principal.userId ?? null,
        },
      });
      await recordChange(tx, principal, 'admin.api_key.created', { apiKeyId: created.id, name: created.name, grantedRole: created.role, integratorOrgId, prefix: created.prefix, expiresAt: expiresAt?.toISOString() ?? null });
      return created;
    });
    return { ...toView(row), key };
  }

  list(principal: Principal, query: PageQuery): Promise<Page<ApiKeyView>> {
    const page = keyset(query);
    return this.db.run(tenantContext(principal), async (tx) =>
      toPage(await tx.apiKey.findMany({ where: page.where, orderBy: page.orderBy, take: page.take }), page.pageSize, toView),
    );
  }

  async get(principal: Principal, id: string): Promise<ApiKeyView> {
    const row = await this.db.run(tenantContext(principal), (tx) => tx.apiKey.findFirst({ where: { id } }));
    if (!row) throw notFound('API key');
    return toView(row);
  }

  /** Revocation takes effect on the next request: keys are looked up on every call, never cached. */
  async revoke(principal: Principal, id: string): Promise<void> {
    const result = await this.db.run(tenantContext(principal), async (tx) => {
      const revoked = await tx.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (revoked.count) await recordChange(tx, principal, 'admin.api_key.revoked', { apiKeyId: id });
      return revoked;
    });
    if (result.count === 0) {
      const exists = await this.db.run(tenantContext(principal), (tx) => tx.apiKey.count({ where: { id } }));
      if (!exists) throw notFound('API key');
    }
  }
}

function toView(row: ApiKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    integratorOrgId: row.integratorOrgId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
