import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AUDIT_JOBS, DEFAULT_JOB_OPTIONS, QUEUES } from '@meridian/jobs';
import { currentTraceCarrier } from '@meridian/telemetry';

@Injectable()
export class AuditProducer {
  constructor(@InjectQueue(QUEUES.audit) private readonly queue: Queue) {}

  checkpoint(tenantId: string, requestedBy: string): Promise<Job> {
    return this.queue.add(AUDIT_JOBS.checkpoint, { tenantId, requestedBy, trace: currentTraceCarrier() }, { ...DEFAULT_JOB_OPTIONS, jobId: randomUUID() });
  }
}
