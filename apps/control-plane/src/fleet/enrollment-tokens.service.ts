import { Injectable } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { generateSecret, sha256Hex } from '@meridian/crypto';
import { EnrollmentTokenStatus, type EnrollmentToken, type TenantTx } from '@meridian/db';
import { tenantContext, type Principal } from '../auth/principal';
import { recordChange } from '../audit/record';
import { keyset, toPage, type Page } from '../common/pagination';
import { conflict, notFound } from '../common/problem';
import { InjectConfig } from '../config/config.module';
import { TenantPrisma } from '../prisma/prisma.service';
import type { CreateEnrollmentTokenDto, CreatedEnrollmentTokenView, EnrollmentTokenQuery, EnrollmentTokenView } from './dto/enrollment-token.dto';
import { siteScope } from './site-scope';
import { findSite } from './sites.service';

export const ENROLLMENT_TOKEN_PREFIX = 'me';
const DEFAULT_TTL_SECONDS = 24 * 3600;

/** Single-use, expiring secrets that let one agent enroll into one site. Stored as sha256 only. */
@Injectable()
export class EnrollmentTokensService {
  private readonly agentEndpoint: AppConfig['agents']['publicEndpoint'];

  constructor(
    private readonly db: TenantPrisma,
    @InjectConfig() config: AppConfig,
  ) {
    this.agentEndpoint = config.agents.publicEndpoint;
  }

  async create(principal: Principal, input: CreateEnrollmentTokenDto): Promise<CreatedEnrollmentTokenView> {
    const token = generateSecret(ENROLLMENT_TOKEN_PREFIX);
    const row = await this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, input.siteId);
      const created = await tx.enrollmentToken.create({
        data: {
          tenantId: principal.tenantId,
          siteId: site.id,
          tokenHash: sha256Hex(token),
          expiresAt: new Date(Date.now() + (input.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000),
          createdByUserId: principal.userId ?? null,
        },
      });
      // Who let a gateway in: the node that enrolls with it names this token (usedByNodeId).
      await recordChange(tx, principal, 'admin.enrollment_token.issued', { tokenId: created.id, siteId: site.id, expiresAt: created.expiresAt.toISOString() }, site.id);
      return created;
    });
    return { ...toView(row), token, agentEndpoint: { ...this.agentEndpoint } };
  }

  list(principal: Principal, query: EnrollmentTokenQuery): Promise<Page<EnrollmentTokenView>> {
    const page = keyset(query);
    const where = {
      AND: [{ site: siteScope(principal) }, query.siteId ? { siteId: query.siteId } : {}, query.status ? { status: query.status } : {}, page.where],
    };
    return this.db.run(tenantContext(principal), async (tx) =>
      toPage(await tx.enrollmentToken.findMany({ where, orderBy: page.orderBy, take: page.take }), page.pageSize, toView),
    );
  }

  get(principal: Principal, id: string): Promise<EnrollmentTokenView> {
    return this.db.run(tenantContext(principal), async (tx) => toView(await findToken(tx, principal, id)));
  }

  revoke(principal: Principal, id: string): Promise<void> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const token = await findToken(tx, principal, id);
      if (token.status === EnrollmentTokenStatus.used) throw conflict('token was already used; revoke the node instead');
      if (token.status === EnrollmentTokenStatus.revoked) return;
      await tx.enrollmentToken.update({ where: { id: token.id }, data: { status: EnrollmentTokenStatus.revoked } });
      await recordChange(tx, principal, 'admin.enrollment_token.revoked', { tokenId: token.id, siteId: token.siteId }, token.siteId);
    });
  }
}

async function findToken(tx: TenantTx, principal: Principal, id: string): Promise<EnrollmentToken> {
  const token = await tx.enrollmentToken.findFirst({ where: { id, site: siteScope(principal) } });
  if (!token) throw notFound('enrollment token');
  return token;
}

function toView(row: EnrollmentToken): EnrollmentTokenView {
  // A token past its expiry reads as expired at once, even before housekeeping marks it.
  const status = row.status === EnrollmentTokenStatus.active && row.expiresAt <= new Date() ? EnrollmentTokenStatus.expired : row.status;
  return { id: row.id, siteId: row.siteId, status, expiresAt: row.expiresAt, usedAt: row.usedAt, usedByNodeId: row.usedByNodeId, createdAt: row.createdAt };
}
