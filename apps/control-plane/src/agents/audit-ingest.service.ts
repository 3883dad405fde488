import { Injectable, Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Counter } from 'prom-client';
import { verifyChain } from '@meridian/audit';
import { verifyEd25519 } from '@meridian/crypto';
import { appendAtHeads, insertAuditRows, type AuditAppend, type AuditRow, type AuditSourceRef } from '@meridian/db';
import { AUDIT_RESUME_AFTER_HASH, AUDIT_RESUME_AFTER_SEQ, MAX_AUDIT_BATCH, type AuditAck, type AuditBatch } from '@meridian/protocol';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';
import { AgentAuthService, type NodeIdentity } from './agent-auth.service';
import { checkAgentEvent } from './agent-event';
import { AgentRpcError, invalidArgument } from './agent-rpc-error';
import { AuditUploadQuota } from './audit-upload-quota';
import { Batcher } from './batcher';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Verified ingest of agents' journals. Each batch must be signed by the node and continue its chain
 * exactly from the last stored record. Re-sent records that match what is stored are skipped (a
 * re-sent batch adds nothing); a gap, a reordering, an altered record or a fork is refused, and the
 * node's chain is flagged as broken so the refusal cannot be worked around by retrying. One gap is
 * asked about first: a batch beyond the stored head may mean the store lost records it acknowledged
 * (restored from a backup, a failover that lost commits), so the node is asked once to send them again
 * from the head (`audit-resume-after-seq` / `-hash` trailers); a node that does not is flagged. A node over
 * its upload quota (AuditUploadQuota) is refused before anything is stored, and sends the batch again later.
 */
@Injectable()
export class AuditIngestService {
  private readonly logger = new Logger(AuditIngestService.name);
  private readonly ingested: Counter<'result'>;
  /**
   * Batches of many nodes that continue their chains, stored together: one transaction and one
   * statement for all the uploads that arrive within a couple of milliseconds, instead of six
   * statements each (begin, tenant setting, head lock, insert, head update, commit): the cost per
   * statement through Prisma and pg dominated ingest. Groups stay small so that several overlap
   * (PostgreSQL stores one while the control plane verifies the next): with 50 agents uploading,
   * groups of 10 kept the machine busier and stored more per second than groups of 20 or 50
   * (bench/audit-ingest.mjs, session 4).
   */
  private readonly appender = new Batcher<AuditAppend, boolean>((batches) => this.appendGroups(batches), { maxSize: 10, maxWaitMs: 2 });

  constructor(
    private readonly db: TenantPrisma,
    metrics: MetricsService,
    private readonly auth: AgentAuthService,
    private readonly quota: AuditUploadQuota,
  ) {
    this.ingested = new Counter({ name: 'meridian_audit_events_ingested_total', help: 'Audit records from agents: stored, duplicate (re-sent), refused, throttled (over the node quota; sent again later), or resume_requested (beyond a head that lost records; the node is asked to send them again)', labelNames: ['result'], registers: [metrics.registry] });
  }

  async ingest(node: NodeIdentity, batch: AuditBatch): Promise<AuditAck> {
    const records = this.decode(batch, node);
    const signed = Buffer.concat(batch.records.map((r) => r.hash));
    // The key the call was just authenticated with; a separate lookup only if it has left the cache since.
    const publicKey = this.auth.keyOf(node.nodeId) ?? (await this.publicKeyOf(node));
    if (!verifyEd25519(publicKey, signed, batch.signature)) throw new AgentRpcError(GrpcStatus.UNAUTHENTICATED, 'audit batch signature does not match the node key');
    // Charged only once the node's own signature holds (a forger cannot drain its quota), before anything is stored.
    await this.quota.take(node.nodeId, records.length).catch((error: unknown) => {
      this.ingested.inc({ result: 'throttled' }, records.length);
      throw error;
    });

    const source: AuditSourceRef = { tenantId: node.tenantId, sourceId: node.nodeId, actor: `node:${node.nodeId}`, siteId: node.siteId };
    // The steady state of an uploading agent: the batch continues the stored head exactly. Every record
    // is verified here (hash recomputed, links between records); the link of the first record to the
    // stored head is checked by the database under the head's row lock, in the statement that stores them.
    const first = records[0]!;
    const last = records[records.length - 1]!;
    if (verifyChain(records, { seq: first.seq - 1, hash: first.prevHash }).ok && (await this.appender.submit({ source, rows: records }))) {
      this.ingested.inc({ result: 'stored' }, records.length);
      return { acknowledgedSeq: last.seq, acknowledgedHash: Buffer.from(last.hash, 'hex') };
    }
    return this.ingestGeneral(node, source, records);
  }

  /** Per tenant, one transaction appending every batch at its head; true for each batch stored, false for those left to the general path. */
  private async appendGroups(batches: AuditAppend[]): Promise<boolean[]> {
    const results = batches.map(() => false);
    const byTenant = new Map<string, number[]>();
    for (const [i, batch] of batches.entries()) {
      const group = byTenant.get(batch.source.tenantId);
      if (group) group.push(i);
      else byTenant.set(batch.source.tenantId, [i]);
    }
    await Promise.all(
      [...byTenant].map(async ([tenantId, indexes]) => {
        // A node's second batch in flight at once waits for the general path, which takes its head lock.
        const sources = new Set<string>();
        const group = indexes.filter((i) => !sources.has(batches[i]!.source.sourceId) && sources.add(batches[i]!.source.sourceId));
        try {
          const appended = await this.db.run({ tenantId }, (tx) => appendAtHeads(tx, tenantId, group.map((i) => batches[i]!)));
          for (const i of group) results[i] = appended.has(batches[i]!.source.sourceId);
        } catch (error) {
          // Nothing of the group was stored (one statement); each batch is retried alone on the general path.
          this.logger.warn({ err: String(error), batches: group.length }, 'grouped audit append failed; batches go one by one');
        }
      }),
    );
    return results;
  }

  /** A new source, re-sent records, or a batch that does not continue the chain (refused, node flagged). */
  private async ingestGeneral(node: NodeIdentity, source: AuditSourceRef, records: AuditRow[]): Promise<AuditAck> {
    let refusal: string | undefined;
    let resume: { seq: number; hash: string; missing: string } | undefined;
    const ack = await this.db.run({ tenantId: node.tenantId }, async (tx) => {
      // Serialises concurrent uploads of one node.
      const lockHead = () =>
        tx.$queryRaw<{ last_seq: bigint; last_hash: string; broken_at: Date | null; broken_reason: string | null; resume_requested_seq: bigint | null }[]>`
          SELECT last_seq, last_hash, broken_at, broken_reason, resume_requested_seq FROM audit_sources WHERE tenant_id = ${node.tenantId}::uuid AND source_id = ${node.nodeId} FOR UPDATE`;
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
      if (resent.length === 0 && fresh[0] && fresh[0].seq > lastSeq + 1) {
        const missing = `records ${lastSeq + 1}–${fresh[0].seq - 1}`;
        if (head.resume_requested_seq !== head.last_seq) {
          await tx.$executeRaw`UPDATE audit_sources SET resume_requested_seq = ${BigInt(lastSeq)} WHERE tenant_id = ${node.tenantId}::uuid AND source_id = ${node.nodeId}`;
          resume = { seq: lastSeq, hash: head.last_hash, missing };
          return undefined;
        }
        refusal = `gap: expected record ${lastSeq + 1}, got ${fresh[0].seq} (${missing} were asked for again and not sent)`;
        return undefined;
      }
      const check = verifyChain(fresh, { seq: lastSeq, hash: head.last_hash });
      if (!check.ok) {
        refusal = check.reason;
        return undefined;
      }
      if (fresh.length) {
        await insertAuditRows(tx, source, fresh);
        const last = fresh[fresh.length - 1]!;
        await tx.$executeRaw`UPDATE audit_sources SET last_seq = ${BigInt(last.seq)}, last_hash = ${last.hash}, updated_at = now() WHERE tenant_id = ${node.tenantId}::uuid AND source_id = ${node.nodeId}`;
      }
      this.ingested.inc({ result: 'stored' }, fresh.length);
      this.ingested.inc({ result: 'duplicate' }, resent.length);
      const lastRecord = fresh[fresh.length - 1];
      return lastRecord ? { seq: lastRecord.seq, hash: lastRecord.hash } : { seq: lastSeq, hash: head.last_hash };
    });
    if (resume) {
      this.ingested.inc({ result: 'resume_requested' }, records.length);
      this.logger.warn({ nodeId: node.nodeId, afterSeq: resume.seq, missing: resume.missing }, 'audit records missing from the store; asked the node to send them again');
      throw new AgentRpcError(GrpcStatus.FAILED_PRECONDITION, `audit ${resume.missing} are missing from the control plane's store: send them again, from record ${resume.seq + 1}`, {
        [AUDIT_RESUME_AFTER_SEQ]: String(resume.seq),
        [AUDIT_RESUME_AFTER_HASH]: resume.hash,
      });
    }
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

  /** Checks each record and its event (agent-event.ts) and extracts the indexed columns from its body (parsed once). */
  private decode(batch: AuditBatch, node: NodeIdentity): AuditRow[] {
    if (batch.records.length === 0 || batch.records.length > MAX_AUDIT_BATCH) throw invalidArgument(`records: between 1 and ${MAX_AUDIT_BATCH} per batch`);
    return batch.records.map((r, i) => {
      if (!Number.isSafeInteger(r.seq) || r.seq < 1) throw invalidArgument(`records[${i}].seq: must be a positive integer`);
      if (r.prevHash.length !== 32 || r.hash.length !== 32) throw invalidArgument(`records[${i}]: hashes are 32 bytes`);
      if (r.body.length > MAX_BODY_BYTES) throw invalidArgument(`records[${i}].body: larger than ${MAX_BODY_BYTES} bytes`);
      const body = bytes(r.body).toString('utf8');
      const check = checkAgentEvent(body, node);
      if (!check.ok) throw invalidArgument(`records[${i}].body: ${check.reason}`);
      const { event, at } = check;
      return {
        seq: r.seq,
        prevHash: bytes(r.prevHash).toString('hex'),
        hash: bytes(r.hash).toString('hex'),
        body,
        type: event.type,
        category: event.category ?? null,
        decision: event.decision ?? null,
        occurredAt: at.toISOString(),
      };
    });
  }

  private async publicKeyOf(node: NodeIdentity): Promise<Buffer> {
    const row = await this.db.run({ tenantId: node.tenantId }, (tx) => tx.edgeNode.findFirstOrThrow({ where: { id: node.nodeId }, select: { publicKey: true } }));
    return Buffer.from(row.publicKey ?? '', 'base64');
  }
}

/** The decoded bytes as a Buffer (the protocol decoder already gives Buffers; a view otherwise, never a copy). */
function bytes(view: Uint8Array): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
