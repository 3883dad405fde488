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

  verify(tenantId: string, requestedBy: string): Promise<Job> {
    const payload: AuditVerifyPayload = { tenantId, requestedBy, trace: currentTraceCarrier() };
    return this.queue.add(AUDIT_JOBS.verify, payload, { ...DEFAULT_JOB_OPTIONS, jobId: randomUUID() });
  }

  /** The job id is the export id: a retried request cannot queue the same export twice. */
  export(tenantId: string, exportId: string, requestedBy: string): Promise<Job> {
    const payload: AuditExportPayload = { tenantId, exportId, requestedBy, trace: currentTraceCarrier() };
    return this.queue.add(AUDIT_JOBS.export, payload, auditExportJobOptions(exportId));
  }
}
