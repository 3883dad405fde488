import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import type { AppConfig } from '@meridian/config';
import { createCheckpoint } from '@meridian/db';
import { AUDIT_JOBS, QUEUES, type CheckpointPayload, type CheckpointResult } from '@meridian/jobs';
import { continueTrace } from '@meridian/telemetry';
import { InjectConfig } from './config.module';
import { assertHandlersCover } from './housekeeping.processor';
import { TenantDb } from './tenant-db.service';

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
    this.handlers = { [AUDIT_JOBS.checkpoint]: (job) => this.checkpoint(job.data as CheckpointPayload) };
    assertHandlersCover(this.handlers, Object.values(AUDIT_JOBS));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler('audit-checkpoints', { every: this.config.audit.checkpointIntervalSeconds * 1000 }, { name: AUDIT_JOBS.checkpoint, data: {}, opts: { removeOnComplete: 100, removeOnFail: 1000 } });
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
    const tenants = payload.tenantId ? [payload.tenantId] : await this.db.tenantsWithPendingAudit();
    const checkpoints: CheckpointResult['checkpoints'] = [];
    for (const tenantId of tenants) {
      const checkpoint = await this.db.run(tenantId, (tx) => createCheckpoint(tx, tenantId, this.config.keys.encryptionKey));
      if (checkpoint) checkpoints.push({ tenantId, treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash });
    }
    if (checkpoints.length) this.logger.log({ checkpoints }, 'audit checkpoints signed');
    return { checkpoints };
  }
}
