import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, HOUSEKEEPING_JOBS, QUEUES, type ExpireEnrollmentTokensPayload } from '@meridian/jobs';

@Injectable()
export class HousekeepingProducer {
  constructor(@InjectQueue(QUEUES.housekeeping) private readonly queue: Queue) {}

  /** Job ids are random UUIDs: unguessable, and unique across tenants. */
  expireEnrollmentTokens(payload: ExpireEnrollmentTokensPayload): Promise<Job> {
    return this.queue.add(HOUSEKEEPING_JOBS.expireEnrollmentTokens, payload, { ...DEFAULT_JOB_OPTIONS, jobId: randomUUID() });
  }
}
