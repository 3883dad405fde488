import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, GOVERNANCE_JOBS, QUEUES, type CompileBundlesPayload } from '@meridian/jobs';

@Injectable()
export class GovernanceProducer {
  constructor(@InjectQueue(QUEUES.governance) private readonly queue: Queue) {}

  compileBundles(payload: CompileBundlesPayload): Promise<Job> {
    return this.queue.add(GOVERNANCE_JOBS.compileBundles, payload, { ...DEFAULT_JOB_OPTIONS, backoff: { type: 'exponential', delay: 200 }, jobId: randomUUID() });
  }
}
