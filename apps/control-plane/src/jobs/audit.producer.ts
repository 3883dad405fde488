import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AUDIT_JOBS, auditExportJobOptions, DEFAULT_JOB_OPTIONS, QUEUES, type AuditExportPayload, type AuditVerifyPayload } from '@meridian/jobs';
import { currentTraceCarrier } from '@meridian/telemetry';

@Injectable()
export class AuditProducer {
  constructor(@InjectQueue(QUEUES.audit) private readonly queue: Queue) {}

  checkpoint(tenantId: string, requestedBy: string): Promise<Job> {
    return this.queue.add(AUDIT_JOBS.checkpoint, { tenantId, requestedBy, trace: currentTraceCarrier() }, { ...DEFAULT_JOB_OPTIONS, jobId: randomUUID() });
  }

  /**
   * One verification per tenant at a time: it reads the whole log (20 s at a million events), so a
   * request while one is waiting or running gets that job instead of queuing another read of the same
   * log ahead of the tenant's checkpoints. Once it has finished, the next request starts a new one.
   */
  verify(tenantId: string, requestedBy: string): Promise<Job> {
    const payload: AuditVerifyPayload = { tenantId, requestedBy, trace: currentTraceCarrier() };
    return this.queue.add(AUDIT_JOBS.verify, payload, { ...DEFAULT_JOB_OPTIONS, jobId: randomUUID(), deduplication: { id: `audit-verify:${tenantId}` } });
  }

  /** The job id is the export id: a retried request cannot queue the same export twice. */
  export(tenantId: string, exportId: string, requestedBy: string): Promise<Job> {
    const payload: AuditExportPayload = { tenantId, exportId, requestedBy, trace: currentTraceCarrier() };
    return this.queue.add(AUDIT_JOBS.export, payload, auditExportJobOptions(exportId));
  }
}
