import { Injectable } from '@nestjs/common';
import { consistencyProof, inclusionProof, leafHash, recordHash, verifyConsistency, verifyInclusion } from '@meridian/audit';
import { leafBytes, logLeafHashes, toCheckpoint, verifyTenantLog, type AuditCheckpoint, type AuditEvent, type TenantTx } from '@meridian/db';
import { isIntegrator, tenantContext, type Principal } from '../auth/principal';
import { badRequest, notFound } from '../common/problem';
import { AuditProducer } from '../jobs/audit.producer';
import { afterEventCursor, decodeEventCursor, encodeEventCursor } from './event-cursor';
import { JobsService } from '../jobs/jobs.service';
import type { JobView } from '../jobs/dto/job.dto';
import { TenantPrisma } from '../prisma/prisma.service';
import type { AuditEventDetailView, AuditEventPage, AuditEventQuery, AuditEventView, CheckpointList, ConsistencyProofView, VerificationView } from './dto/audit.dto';

/** Reading, proving and exporting the tenant's audit log. Integrators see only their sites' events. */
@Injectable()
export class AuditService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: AuditProducer,
    private readonly jobs: JobsService,
  ) {}

  events(principal: Principal, query: AuditEventQuery): Promise<AuditEventPage> {
    const limit = Math.min(query.limit ?? 50, 500);
    return this.db.run(tenantContext(principal), async (tx) => {
      // The integrator's scope is its own condition (AND): a siteId in the query narrows it, never replaces it.
      const scope = await this.siteFilter(tx, principal);
      const where = {
        ...(query.sourceId ? { sourceId: query.sourceId } : {}),
        ...(query.siteId ? { siteId: query.siteId } : {}),
        ...(query.category ? { category: query.category } : {}),
        ...(query.decision ? { decision: query.decision } : {}),
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.type ? { type: { in: query.type.split(',') } } : {}),
        ...(query.from || query.to ? { occurredAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
      };
      const rows = await tx.auditEvent.findMany({
        where: { AND: [scope, where, query.cursor ? afterEventCursor(decodeEventCursor(query.cursor)) : {}] },
        orderBy: [{ receivedAt: 'desc' }, { sourceId: 'desc' }, { seq: 'desc' }],
        take: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toView), nextCursor: rows.length > limit && last ? encodeEventCursor(last) : null };
    });
  }

  event(principal: Principal, sourceId: string, seq: number): Promise<AuditEventDetailView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const row = await tx.auditEvent.findFirst({ where: { sourceId, seq: BigInt(seq), ...(await this.siteFilter(tx, principal)) } });
      if (!row) throw notFound('audit event');
      const chainIntact = recordHash(row.prevHash, Number(row.seq), row.body) === row.hash;
      const checkpointRow = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
      let inclusion: AuditEventDetailView['inclusion'] = null;
      if (checkpointRow && row.logIndex !== null && Number(row.logIndex) < Number(checkpointRow.treeSize)) {
        const leaves = await logLeafHashes(tx, Number(checkpointRow.treeSize));
        const index = Number(row.logIndex);
        const path = inclusionProof(index, leaves);
        const leaf = leafHash(leafBytes(row));
        const checkpoint = toCheckpoint(checkpointRow, principal.tenantId);
        inclusion = {
          leafIndex: index,
          treeSize: checkpoint.treeSize,
          leafHash: leaf.toString('hex'),
          path: path.map((p) => p.toString('hex')),
          verified: verifyInclusion(index, checkpoint.treeSize, leaf, path, Buffer.from(checkpoint.rootHash, 'hex')),
          checkpoint,
        };
      }
      return { ...toView(row), chainIntact, inclusion };
    });
  }

  checkpoints(principal: Principal): Promise<CheckpointList> {
    return this.db.run(tenantContext(principal), async (tx) => ({
      items: (await tx.auditCheckpoint.findMany({ orderBy: { treeSize: 'desc' }, take: 200 })).map((c: AuditCheckpoint) => toCheckpoint(c, principal.tenantId)),
    }));
  }

  async requestCheckpoint(principal: Principal): Promise<JobView> {
    return this.jobs.view(await this.producer.checkpoint(principal.tenantId, principal.subjectId));
  }

  consistency(principal: Principal, from: number, to: number): Promise<ConsistencyProofView> {
    if (from > to) throw badRequest('from must not exceed to', [{ path: 'from', message: 'must be <= to' }]);
    return this.db.run(tenantContext(principal), async (tx) => {
      const [a, b] = await Promise.all([tx.auditCheckpoint.findFirst({ where: { treeSize: BigInt(from) } }), tx.auditCheckpoint.findFirst({ where: { treeSize: BigInt(to) } })]);
      if (!a || !b) throw notFound('checkpoint of that size');
      const leaves = await logLeafHashes(tx, to);
      const proof = consistencyProof(from, leaves);
      return { from, to, proof: proof.map((p) => p.toString('hex')), verified: verifyConsistency(from, to, Buffer.from(a.rootHash, 'hex'), Buffer.from(b.rootHash, 'hex'), proof) };
    });
  }

  verify(principal: Principal): Promise<VerificationView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const latest = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
      const checkpoint = latest ? toCheckpoint(latest, principal.tenantId) : null;
      return { ...(await verifyTenantLog(tx, checkpoint ?? undefined)), checkpoint };
    });
  }

  private async siteFilter(tx: TenantTx, principal: Principal): Promise<{ siteId?: { in: string[] } }> {
    if (!isIntegrator(principal)) return {};
    const sites = await tx.site.findMany({ where: { integratorOrgId: principal.integratorOrgId ?? '00000000-0000-0000-0000-000000000000' }, select: { id: true } });
    return { siteId: { in: sites.map((s) => s.id) } };
  }
}

function toView(row: AuditEvent): AuditEventView {
  return {
    sourceId: row.sourceId,
    seq: Number(row.seq),
    type: row.type,
    actor: row.actor,
    siteId: row.siteId,
    category: row.category,
    decision: row.decision,
    occurredAt: row.occurredAt,
    receivedAt: row.receivedAt,
    hash: row.hash,
    prevHash: row.prevHash,
    logIndex: row.logIndex === null ? null : Number(row.logIndex),
    event: JSON.parse(row.body) as unknown,
  };
}
