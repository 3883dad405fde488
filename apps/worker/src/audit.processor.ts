import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import type { AppConfig } from '@meridian/config';
import { createCheckpoint, NothingToExportError, storeAuditExport, verifyTenantLogNow, type VerificationProgress } from '@meridian/db';
import { AUDIT_JOBS, auditExportJobOptions, QUEUES, type AuditExportPayload, type AuditExportResult, type AuditVerifyPayload, type CheckpointPayload, type CheckpointResult } from '@meridian/jobs';
import { continueTrace } from '@meridian/telemetry';
import { InjectConfig } from './config.module';
import { assertHandlersCover } from './housekeeping.processor';
import { keepJobScheduler } from './job-schedulers';
import { TenantDb } from './tenant-db.service';

/**
 * For transactions that may read a tenant's whole log. A checkpoint transaction hashes at most
 * AUDIT_CHECKPOINT_MAX_EVENTS new events (about 2 s per 100,000 here), but the first one over a log
 * checkpointed before the tree was carried or its tiles stored reads the whole log once: 18 s at a
 * million events, far past the 15 s default. A verification reads the whole log every time (20 s at
 * a million).
 */
const WHOLE_LOG_TIMEOUT_MS = 30 * 60_000;
/** A verification reads ~50,000 events a second here: a page every ~0.1 s; one progress write per second is plenty. */
const PROGRESS_EVERY_MS = 1_000;

/**
 * Takes new audit events into each tenant's Merkle log and signs a checkpoint: at a fixed cadence
 * (a BullMQ job scheduler, one schedule however many workers run) and on demand.
 */
@Processor(QUEUES.audit)
export class AuditProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditProcessor.name);
  readonly handlers: Record<string, (job: Job) => Promise<unknown>>;

  constructor(
    private readonly db: TenantDb,
    @InjectConfig() private readonly config: AppConfig,
    @InjectQueue(QUEUES.audit) private readonly queue: Queue,
  ) {
    super();
    this.handlers = {
      [AUDIT_JOBS.checkpoint]: (job) => this.checkpoint(job.data as CheckpointPayload),
      [AUDIT_JOBS.export]: (job) => this.export(job),
      [AUDIT_JOBS.verify]: (job) => this.verify(job),
    };
    assertHandlersCover(this.handlers, Object.values(AUDIT_JOBS));
  }

  async onApplicationBootstrap(): Promise<void> {
    await keepJobScheduler(this.queue, 'audit-checkpoints', { every: this.config.audit.checkpointIntervalSeconds * 1000 }, { name: AUDIT_JOBS.checkpoint, data: {}, opts: { removeOnComplete: 100, removeOnFail: 1000 } }, this.logger);
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const data = job.data as CheckpointPayload;
    return continueTrace(data.trace, `job ${job.name}`, { 'messaging.destination.name': job.queueName, 'meridian.job_id': String(job.id) }, () => handler(job));
  }

  private async checkpoint(payload: CheckpointPayload): Promise<CheckpointResult> {
    if (!payload.tenantId) {
      const created = await this.db.ensureAuditPartitions();
      if (created) this.logger.log({ created }, 'audit partitions created');
    }
    if (!payload.tenantId) await this.requeueLostExports();
    const tenants = payload.tenantId ? [payload.tenantId] : await this.db.tenantsWithPendingAudit();
    const checkpoints: CheckpointResult['checkpoints'] = [];
    for (const tenantId of tenants) {
      // A backlog (agents back online) goes in several bounded transactions, each its own checkpoint.
      for (let more = true; more; ) {
        const checkpoint = await this.db.run(tenantId, (tx) => createCheckpoint(tx, tenantId, this.config.keys.encryptionKey, { maxEvents: this.config.audit.checkpointMaxEvents }), {
          timeoutMs: WHOLE_LOG_TIMEOUT_MS,
        });
        more = checkpoint?.morePending ?? false;
        if (checkpoint) checkpoints.push({ tenantId, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash });
      }
    }
    if (checkpoints.length) this.logger.log({ checkpoints }, 'audit checkpoints signed');
    return { checkpoints };
  }

  /**
   * Re-verifies the tenant's log (libs/db verifyTenantLogNow): a broken log is a result, not a failed
   * job. Its progress (stage, rows done of total, percent) goes to the job at most every
   * PROGRESS_EVERY_MS, for whoever follows it; progress that cannot be written is skipped, never a
   * reason to stop verifying.
   */
  private async verify(job: Job): Promise<unknown> {
    const payload = job.data as AuditVerifyPayload;
    let reportedAt = 0;
    const onProgress = async (progress: VerificationProgress) => {
      if (Date.now() - reportedAt < PROGRESS_EVERY_MS && progress.percent < 100) return;
      reportedAt = Date.now();
      await job.updateProgress({ ...progress }).catch((error: unknown) => this.logger.warn({ jobId: job.id, err: (error as Error).message }, 'verification progress not written'));
    };
    const result = await this.db.run(payload.tenantId, (tx) => verifyTenantLogNow(tx, payload.tenantId, { onProgress }), { timeoutMs: WHOLE_LOG_TIMEOUT_MS });
    this.logger.log({ tenantId: payload.tenantId, requestedBy: payload.requestedBy, ok: result.ok, ...(result.ok ? { events: result.events } : { sourceId: result.sourceId, seq: result.seq }) }, 'audit log verified');
    return result;
  }

  /**
   * Queues again every export still waiting or running in PostgreSQL whose job is gone: one that Redis
   * lost would otherwise never finish. Queuing is a no-op while its job exists (same job id).
   */
  private async requeueLostExports(): Promise<void> {
    for (const tenantId of await this.db.tenantsWithUnfinishedExports()) {
      const unfinished = await this.db.run(tenantId, (tx) => tx.auditExport.findMany({ where: { status: { in: ['queued', 'running'] } }, select: { id: true, requestedBy: true } }));
      for (const row of unfinished) {
        if (await this.queue.getJob(`export-${row.id}`)) continue;
        const payload: AuditExportPayload = { tenantId, exportId: row.id, requestedBy: row.requestedBy };
        await this.queue.add(AUDIT_JOBS.export, payload, auditExportJobOptions(row.id));
        this.logger.warn({ tenantId, exportId: row.id }, 'audit export queued again: its job was lost');
      }
    }
  }

  /**
   * Builds the v3 bundle (JSON Lines) from the log and stores it gzip-compressed in pieces as it goes
   * (libs/db storeAuditExport), so the worker's memory stays bounded whatever the log's size. The
   * pieces and the completed row commit in one transaction: the export is there whole or not at all.
   * Progress goes to the job and to the row the API shows; a failure is recorded on the row with its
   * reason, so the requester sees why instead of a bundle that never comes.
   */
  private async export(job: Job): Promise<AuditExportResult> {
    const payload = job.data as AuditExportPayload;
    const done = await this.db.run(payload.tenantId, (tx) => tx.auditExport.findFirst({ where: { id: payload.exportId }, select: { status: true, treeSize: true, eventCount: true, sha256: true, sizeBytes: true } }));
    if (done?.status === 'completed') {
      // Run again after it was stored (a stalled job handed to another worker): nothing to do.
      return { exportId: payload.exportId, treeSize: Number(done.treeSize ?? 0), events: done.eventCount ?? 0, sha256: done.sha256 ?? '', sizeBytes: Number(done.sizeBytes ?? 0) };
    }
    const progress = async (percent: number) => {
      await job.updateProgress(percent);
      await this.db.run(payload.tenantId, (tx) => tx.auditExport.update({ where: { id: payload.exportId }, data: { status: 'running', progress: percent } }));
    };
    await progress(0);
    try {
      const stored = await this.db.run(
        payload.tenantId,
        async (tx) => {
          const built = await storeAuditExport(tx, payload.exportId, { tenantId: payload.tenantId, requestedBy: payload.requestedBy }, { chunkBytes: this.config.audit.exportChunkBytes, onProgress: progress });
          await tx.auditExport.update({
            where: { id: payload.exportId },
            data: { status: 'completed', progress: 100, treeSize: BigInt(built.treeSize), eventCount: built.events, sha256: built.sha256, sizeBytes: BigInt(built.sizeBytes), error: null, completedAt: new Date() },
          });
          return built;
        },
        { timeoutMs: EXPORT_TIMEOUT_MS },
      );
      const result = { exportId: payload.exportId, treeSize: stored.treeSize, events: stored.events, sha256: stored.sha256, sizeBytes: stored.sizeBytes };
      await job.updateProgress(100);
      this.logger.log({ tenantId: payload.tenantId, ...result, chunks: stored.chunks }, 'audit export built');
      return result;
    } catch (error) {
      const permanent = error instanceof NothingToExportError;
      if (permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        // Never over an export another run of this job completed meanwhile.
        await this.db.run(payload.tenantId, (tx) =>
          tx.auditExport.updateMany({ where: { id: payload.exportId, status: { not: 'completed' } }, data: { status: 'failed', error: (error as Error).message, completedAt: new Date() } }),
        );
      }
      if (permanent) return { exportId: payload.exportId, treeSize: 0, events: 0, sha256: '', sizeBytes: 0 };
      throw error;
    }
  }
}

/** How long one export may take: reading, compressing and storing the whole log in one transaction. */
const EXPORT_TIMEOUT_MS = 30 * 60_000;
