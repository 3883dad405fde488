import { Injectable, Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Counter } from 'prom-client';
import { verifyChain, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { verifyEd25519 } from '@meridian/crypto';
import type { TenantTx } from '@meridian/db';
import type { AuditAck, AuditBatch } from '@meridian/protocol';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';
import { AgentAuthService, type NodeIdentity } from './agent-auth.service';
import { AgentRpcError, invalidArgument } from './agent-rpc-error';

export const MAX_AUDIT_BATCH = 1_000;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Verified ingest of agents' journals. Each batch must be signed by the node and continue its chain
 * exactly from the last stored record. Re-sent records that match what is stored are skipped (a
 * re-sent batch adds nothing); a gap, a reordering, an altered record or a fork is refused, and the
 * node's chain is flagged as broken so the refusal cannot be worked around by retrying.
 */
@Injectable()
export class AuditIngestService {
  private readonly logger = new Logger(AuditIngestService.name);
  private readonly ingested: Counter<'result'>;

  constructor(
    private readonly db: TenantPrisma,
    metrics: MetricsService,
    private readonly auth: AgentAuthService,
  ) {
    this.ingested = new Counter({ name: 'meridian_audit_events_ingested_total', help: 'Audit records from agents: stored, duplicate (re-sent) or refused', labelNames: ['result'], registers: [metrics.registry] });
  }

  async ingest(node: NodeIdentity, batch: AuditBatch): Promise<AuditAck> {
    const records = this.decode(batch);
    const signed = Buffer.concat(batch.records.map((r) => Buffer.from(r.hash)));
    // The key the call was just authenticated with; a separate lookup only if it has left the cache since.
    const publicKey = this.auth.keyOf(node.nodeId) ?? (await this.publicKeyOf(node));
    if (!verifyEd25519(publicKey, signed, batch.signature)) throw new AgentRpcError(GrpcStatus.UNAUTHENTICATED, 'audit batch signature does not match the node key');

    let refusal: string | undefined;
    const ack = await this.db.run({ tenantId: node.tenantId }, async (tx) => {
      // Serialises concurrent uploads of one node.
      const lockHead = () =>
        tx.$queryRaw<{ last_seq: bigint; last_hash: string; broken_at: Date | null; broken_reason: string | null }[]>`
          SELECT last_seq, last_hash, broken_at, broken_reason FROM audit_sources WHERE tenant_id = ${node.tenantId}::uuid AND source_id = ${node.nodeId} FOR UPDATE`;
      let [head] = await lockHead();
      if (!head) {
        await tx.auditSource.createMany({ data: [{ tenantId: node.tenantId, sourceId: node.nodeId }], skipDuplicates: true });
        [head] = await lockHead();
      }
      if (!head) throw new Error('audit source row vanished');
      if (head.broken_at) throw new AgentRpcError(GrpcStatus.FAILED_PRECONDITION, `audit chain of this node is broken (${head.broken_reason}); uploads are refused until an operator investigates`);
      const lastSeq = Number(head.last_seq);
      const resent = records.filter((r) => r.seq <= lastSeq);
      if (resent.length) {
        const stored = await tx.auditEvent.findMany({ where: { sourceId: node.nodeId, seq: { in: resent.map((r) => BigInt(r.seq)) } }, select: { seq: true, hash: true } });
        const byseq = new Map(stored.map((s) => [Number(s.seq), s.hash]));
        const conflict = resent.find((r) => byseq.get(r.seq) !== undefined && byseq.get(r.seq) !== r.hash);
        if (conflict) {
          refusal = `record ${conflict.seq} differs from the one already stored (fork)`;
          return undefined;
        }
      }
      const fresh = records.filter((r) => r.seq > lastSeq);
      const check = verifyChain(fresh, { seq: lastSeq, hash: head.last_hash });
      if (!check.ok) {
        refusal = check.reason;
        return undefined;
      }
      if (fresh.length) {
        await insertEvents(tx, node, fresh);
        const last = fresh[fresh.length - 1]!;
        await tx.$executeRaw`UPDATE audit_sources SET last_seq = ${BigInt(last.seq)}, last_hash = ${last.hash}, updated_at = now() WHERE tenant_id = ${node.tenantId}::uuid AND source_id = ${node.nodeId}`;
      }
      this.ingested.inc({ result: 'stored' }, fresh.length);
      this.ingested.inc({ result: 'duplicate' }, resent.length);
      const lastRecord = fresh[fresh.length - 1];
      return lastRecord ? { seq: lastRecord.seq, hash: lastRecord.hash } : { seq: lastSeq, hash: head.last_hash };
    });
    if (refusal || !ack) {
      this.ingested.inc({ result: 'refused' }, records.length);
      await this.db.run({ tenantId: node.tenantId }, (tx) =>
        tx.auditSource.update({ where: { tenantId_sourceId: { tenantId: node.tenantId, sourceId: node.nodeId } }, data: { brokenAt: new Date(), brokenReason: refusal ?? 'refused' } }),
      );
      this.logger.warn({ nodeId: node.nodeId, reason: refusal }, 'audit chain broken; node flagged');
      throw new AgentRpcError(GrpcStatus.FAILED_PRECONDITION, `audit batch refused: ${refusal}; the node is flagged`);
    }
    return { acknowledgedSeq: ack.seq, acknowledgedHash: Buffer.from(ack.hash, 'hex') };
  }

  private decode(batch: AuditBatch): ChainRecord[] {
    if (batch.records.length === 0 || batch.records.length > MAX_AUDIT_BATCH) throw invalidArgument(`records: between 1 and ${MAX_AUDIT_BATCH} per batch`);
    return batch.records.map((r, i) => {
      if (!Number.isSafeInteger(r.seq) || r.seq < 1) throw invalidArgument(`records[${i}].seq: must be a positive integer`);
      if (r.prevHash.length !== 32 || r.hash.length !== 32) throw invalidArgument(`records[${i}]: hashes are 32 bytes`);
      if (r.body.length > MAX_BODY_BYTES) throw invalidArgument(`records[${i}].body: larger than ${MAX_BODY_BYTES} bytes`);
      const body = Buffer.from(r.body).toString('utf8');
      try {
        const event = JSON.parse(body) as AuditEvent;
        if (typeof event.type !== 'string' || typeof event.at !== 'string' || Number.isNaN(Date.parse(event.at))) throw new Error('shape');
      } catch {
        throw invalidArgument(`records[${i}].body: not an audit event`);
      }
      return { seq: r.seq, prevHash: Buffer.from(r.prevHash).toString('hex'), hash: Buffer.from(r.hash).toString('hex'), body };
    });
  }

  private async publicKeyOf(node: NodeIdentity): Promise<Buffer> {
    const row = await this.db.run({ tenantId: node.tenantId }, (tx) => tx.edgeNode.findFirstOrThrow({ where: { id: node.nodeId }, select: { publicKey: true } }));
    return Buffer.from(row.publicKey ?? '', 'base64');
  }
}

/**
 * One INSERT of column arrays for the whole batch: what Prisma's createMany would send as a
 * statement with a dozen parameters per row, compiled anew for every batch size.
 */
async function insertEvents(tx: TenantTx, node: NodeIdentity, records: ChainRecord[]): Promise<void> {
  const rows = records.map((r) => toRow(node, r));
  await tx.$executeRaw`
    INSERT INTO audit_events (tenant_id, source_id, seq, prev_hash, hash, body, type, actor, site_id, category, decision, occurred_at)
    SELECT ${node.tenantId}::uuid, ${node.nodeId}, u.seq, u.prev_hash, u.hash, u.body, u.type, ${`node:${node.nodeId}`}, ${node.siteId}, u.category, u.decision, u.occurred_at
    FROM unnest(
      ${rows.map((r) => r.seq.toString())}::bigint[], ${rows.map((r) => r.prevHash)}::text[], ${rows.map((r) => r.hash)}::text[], ${rows.map((r) => r.body)}::text[],
      ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.category)}::text[], ${rows.map((r) => r.decision)}::text[], ${rows.map((r) => r.occurredAt.toISOString())}::timestamptz[]
    ) AS u(seq, prev_hash, hash, body, type, category, decision, occurred_at)`;
}

function toRow(node: NodeIdentity, record: ChainRecord) {
  const event = JSON.parse(record.body) as AuditEvent;
  // Only the node's own site may appear; anything else the agent claims stays in the body, not in the indexed columns.
  return {
    tenantId: node.tenantId,
    sourceId: node.nodeId,
    seq: BigInt(record.seq),
    prevHash: record.prevHash,
    hash: record.hash,
    body: record.body,
    type: event.type.slice(0, 100),
    actor: `node:${node.nodeId}`,
    siteId: node.siteId,
    category: typeof event.category === 'string' ? event.category.slice(0, 100) : null,
    decision: typeof event.decision === 'string' ? event.decision.slice(0, 50) : null,
    occurredAt: new Date(event.at),
  };
}
