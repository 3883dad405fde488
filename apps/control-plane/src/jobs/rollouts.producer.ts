import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { currentTraceCarrier, inSpan } from '@meridian/telemetry';
import { DEFAULT_JOB_OPTIONS, QUEUES, ROLLOUT_JOBS, type RolloutTickPayload } from '@meridian/jobs';

@Injectable()
export class RolloutsProducer {
  constructor(@InjectQueue(QUEUES.rollouts) private readonly queue: Queue) {}

  /** Advances a rollout now instead of at the next sweep; safe to send twice (ticks are idempotent). */
  tick(payload: RolloutTickPayload): Promise<Job> {
    const name = ROLLOUT_JOBS.tick;
    return inSpan(`queue.add ${name}`, { 'messaging.destination.name': this.queue.name, 'meridian.tenant_id': payload.tenantId }, () =>
      this.queue.add(name, { ...payload, trace: currentTraceCarrier() }, { ...DEFAULT_JOB_OPTIONS, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { count: 1000 }, jobId: randomUUID() }),
    );
  }
}
