import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { currentTraceCarrier, inSpan } from '@meridian/telemetry';
import { DEFAULT_JOB_OPTIONS, HOUSEKEEPING_JOBS, QUEUES, type ExpireEnrollmentTokensPayload } from '@meridian/jobs';

@Injectable()
export class HousekeepingProducer {
  constructor(@InjectQueue(QUEUES.housekeeping) private readonly queue: Queue) {}

  /** Job ids are random UUIDs: unguessable, and unique across tenants. */
  expireEnrollmentTokens(payload: ExpireEnrollmentTokensPayload): Promise<Job> {
    const name = HOUSEKEEPING_JOBS.expireEnrollmentTokens;
    return inSpan(`queue.add ${name}`, { 'messaging.destination.name': this.queue.name, 'meridian.tenant_id': payload.tenantId }, () =>
      this.queue.add(name, { ...payload, trace: currentTraceCarrier() }, { ...DEFAULT_JOB_OPTIONS, jobId: randomUUID() }),
    );
  }
}
