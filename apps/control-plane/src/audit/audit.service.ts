import { Injectable } from '@nestjs/common';
import { leafHash, recordHash, TiledMerkleTree, verifyConsistency, verifyInclusion } from '@meridian/audit';
import { leafBytes, logTreeReader, toCheckpoint, verifyTenantLogNow, type AuditCheckpoint, type AuditEvent, type TenantTx } from '@meridian/db';
import { isIntegrator, tenantContext, type Principal } from '../auth/principal';
import { badRequest, notFound } from '../common/problem';
import { integratorSiteIds } from '../fleet/site-scope';
import { AUDIT_JOBS, QUEUES } from '@meridian/jobs';
import { AuditProducer } from '../jobs/audit.producer';
import { actorNames } from './actor-names';
import { eventFilter } from './event-filter';
import { afterEventCursor, decodeEventCursor, encodeEventCursor, EVENT_ORDER, newestEventFirst } from './event-cursor';
import { JobsService } from '../jobs/jobs.service';
import type { JobView } from '../jobs/dto/job.dto';
import { TenantPrisma } from '../prisma/prisma.service';
import type { AuditEventDetailView, AuditEventPage, AuditEventQuery, AuditEventView, CheckpointList, ConsistencyProofView, VerificationView } from './dto/audit.dto';

const VERIFY_TIMEOUT_MS = 10 * 60_000;

/** Reading, proving and exporting the tenant's audit log. Integrators see only their sites' events. */
@Injectable()
export class AuditService {
  /** GET /v1/audit/verify in progress on this replica, by tenant. */
  private readonly verifying = new Map<string, Promise<VerificationView>>();

  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: AuditProducer,
    private readonly jobs: JobsService,
  ) {}

  events(principal: Principal, query: AuditEventQuery): Promise<AuditEventPage> {
    const limit = Math.min(query.limit ?? 50, 500);
    return this.db.run(tenantContext(principal), async (tx) => {
      const sites = await this.sitesToRead(tx, principal, query.siteId);
      if (sites?.length === 0) return { items: [], nextCursor: null };
      const where = eventFilter(query);
      const after = query.cursor ? afterEventCursor(decodeEventCursor(query.cursor)) : {};
      const page = (site: object) => tx.auditEvent.findMany({ where: { AND: [site, ...where, after] }, orderBy: EVENT_ORDER, take: limit + 1 });
      // One site: read in the order of the (tenant, site, received_at, …) index. Several (an
      // integrator's): a page of each, merged. A single `site_id IN (…)` read in list order walks
      // the tenant's whole log when those sites have few events (128 ms at 500,000 events, and
      // linear in the log), or sorts every event of those sites.
      let rows: AuditEvent[];
      if (!sites) rows = await page({});
      else if (sites.length === 1) rows = await page({ siteId: sites[0] });
      else {
        rows = [];
        for (const siteId of sites) rows.push(...(await page({ siteId })));
        rows = rows.sort(newestEventFirst).slice(0, limit + 1);
      }
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const names = await actorNames(tx, new Set(items.map((row) => row.actor)));
      return { items: items.map((row) => toView(row, names)), nextCursor: rows.length > limit && last ? encodeEventCursor(last) : null };
    });
  }

  /**
   * The sites whose events this page may show: undefined for all of the tenant's events (site or
   * not), else a list. An integrator's scope is its organisation's sites; a siteId in the query
   * narrows that scope, never widens it.
   */
  private async sitesToRead(tx: TenantTx, principal: Principal, siteId: string | undefined): Promise<string[] | undefined> {
    if (!isIntegrator(principal)) return siteId ? [siteId] : undefined;
    const own = (await this.siteFilter(tx, principal)).siteId?.in ?? [];
    return siteId ? own.filter((id) => id === siteId) : own;
  }

  event(principal: Principal, sourceId: string, seq: number): Promise<AuditEventDetailView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const row = await tx.auditEvent.findFirst({ where: { sourceId, seq: BigInt(seq), ...(await this.siteFilter(tx, principal)) } });
      if (!row) throw notFound('audit event');
      const chainIntact = recordHash(row.prevHash, Number(row.seq), row.body) === row.hash;
      const checkpointRow = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
      let inclusion: AuditEventDetailView['inclusion'] = null;
      if (checkpointRow && row.logIndex !== null && Number(row.logIndex) < Number(checkpointRow.treeSize)) {
        const index = Number(row.logIndex);
        const path = await new TiledMerkleTree(logTreeReader(tx), Number(checkpointRow.treeSize)).inclusionProof(index);
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
      return { ...toView(row, await actorNames(tx, [row.actor])), chainIntact, inclusion };
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

  /** The same verification as a worker job (GET /v1/audit/verifications/:id gives its result): for logs too large to verify within one request. */
  async requestVerification(principal: Principal): Promise<JobView> {
    return this.jobs.view(await this.producer.verify(principal.tenantId, principal.subjectId));
  }

  /** A verification job of the caller's tenant (GET /v1/jobs/:id is for tenant admins; auditors follow theirs here). */
  async verification(principal: Principal, id: string): Promise<JobView> {
    const view = await this.jobs.get(principal, id);
    if (view.queue !== QUEUES.audit || view.name !== AUDIT_JOBS.verify) throw notFound('verification');
    return view;
  }

  consistency(principal: Principal, from: number, to: number): Promise<ConsistencyProofView> {
    if (from > to) throw badRequest('from must not exceed to', [{ path: 'from', message: 'must be <= to' }]);
    return this.db.run(tenantContext(principal), async (tx) => {
      const [a, b] = await Promise.all([tx.auditCheckpoint.findFirst({ where: { treeSize: BigInt(from) } }), tx.auditCheckpoint.findFirst({ where: { treeSize: BigInt(to) } })]);
      if (!a || !b) throw notFound('checkpoint of that size');
      const proof = await new TiledMerkleTree(logTreeReader(tx), to).consistencyProof(from);
      return { from, to, proof: proof.map((p) => p.toString('hex')), verified: verifyConsistency(from, to, Buffer.from(a.rootHash, 'hex'), Buffer.from(b.rootHash, 'hex'), proof) };
    });
  }

  /**
   * Reads the whole log (in pages, in one transaction): about 20 s at a million events, hence its own
   * time limit; POST /v1/audit/verifications runs it as a job. Requests for the same tenant while one
   * runs on this replica share its read and its verdict (the verdict is the tenant's, the same for
   * every verifier), so repeated requests cannot pile whole-log reads on the API's connections.
   */
  verify(principal: Principal): Promise<VerificationView> {
    const running = this.verifying.get(principal.tenantId);
    if (running) return running;
    const verification = this.db
      .run(tenantContext(principal), (tx) => verifyTenantLogNow(tx, principal.tenantId), VERIFY_TIMEOUT_MS)
      .finally(() => this.verifying.delete(principal.tenantId));
    this.verifying.set(principal.tenantId, verification);
    return verification;
  }

  private async siteFilter(tx: TenantTx, principal: Principal): Promise<{ siteId?: { in: string[] } }> {
    if (!isIntegrator(principal)) return {};
    return { siteId: { in: await integratorSiteIds(tx, principal) } };
  }
}

function toView(row: AuditEvent, actorNames: ReadonlyMap<string, string>): AuditEventView {
  return {
    sourceId: row.sourceId,
    seq: Number(row.seq),
    type: row.type,
    actor: row.actor,
    actorName: actorNames.get(row.actor) ?? null,
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
