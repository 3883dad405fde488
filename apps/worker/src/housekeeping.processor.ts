import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EnrollmentTokenStatus } from '@meridian/db';
import {
  HOUSEKEEPING_JOBS,
  QUEUES,
  type ExpireEnrollmentTokensPayload,
  type ExpireEnrollmentTokensResult,
  type HousekeepingJobName,
} from '@meridian/jobs';
import { continueTrace } from '@meridian/telemetry';
import { TenantDb } from './tenant-db.service';

type Handlers = { [Name in HousekeepingJobName]: (job: Job) => Promise<unknown> };

/** Checks at construction that every job name of a queue has exactly one handler, so a missing one fails the boot, not a job. Shared by every processor. */
export function assertHandlersCover(handlers: Record<string, unknown>, names: readonly string[]): void {
  const missing = names.filter((name) => typeof handlers[name] !== 'function');
  const unknown = Object.keys(handlers).filter((name) => !names.includes(name));
  if (missing.length || unknown.length) {
    throw new Error(`job handlers out of sync: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);
  }
}

@Processor(QUEUES.housekeeping)
export class HousekeepingProcessor extends WorkerHost {
  private readonly logger = new Logger(HousekeepingProcessor.name);
  readonly handlers: Handlers;

  constructor(private readonly db: TenantDb) {
    super();
    this.handlers = { [HOUSEKEEPING_JOBS.expireEnrollmentTokens]: (job: Job) => this.expireEnrollmentTokens(job.data as ExpireEnrollmentTokensPayload) };
    assertHandlersCover(this.handlers, Object.values(HOUSEKEEPING_JOBS));
  }

  async process(job: Job): Promise<unknown> {
    const handler = (this.handlers as Record<string, ((job: Job) => Promise<unknown>) | undefined>)[job.name];
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const data = job.data as { tenantId?: string; trace?: Record<string, string> };
    const result = await continueTrace(data.trace, `job ${job.name}`, { 'messaging.destination.name': job.queueName, 'meridian.tenant_id': data.tenantId ?? '', 'meridian.job_id': String(job.id) }, () => handler(job));
    this.logger.log({ jobId: job.id, name: job.name, tenantId: (job.data as { tenantId?: string }).tenantId, result }, 'job completed');
    return result;
  }

  /** Idempotent: re-reads state on every attempt, so a retried job just finds nothing left to do. */
  private async expireEnrollmentTokens(payload: ExpireEnrollmentTokensPayload): Promise<ExpireEnrollmentTokensResult> {
    const now = new Date();
    const result = await this.db.run(payload.tenantId, (tx) =>
      tx.enrollmentToken.updateMany({ where: { status: EnrollmentTokenStatus.active, expiresAt: { lte: now } }, data: { status: EnrollmentTokenStatus.expired } }),
    );
    return { expired: result.count, checkedAt: now.toISOString() };
  }
}
