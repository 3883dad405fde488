import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { currentTraceCarrier, inSpan } from '@meridian/telemetry';
import { DEFAULT_JOB_OPTIONS, GOVERNANCE_JOBS, QUEUES, type CompileBundlesPayload } from '@meridian/jobs';

@Injectable()
export class GovernanceProducer {
  constructor(@InjectQueue(QUEUES.governance) private readonly queue: Queue) {}

  compileBundles(payload: CompileBundlesPayload): Promise<Job> {
    const name = GOVERNANCE_JOBS.compileBundles;
    return inSpan(`queue.add ${name}`, { 'messaging.destination.name': this.queue.name, 'meridian.tenant_id': payload.tenantId }, () =>
      this.queue.add(name, { ...payload, trace: currentTraceCarrier() }, { ...DEFAULT_JOB_OPTIONS, backoff: { type: 'exponential', delay: 200 }, jobId: randomUUID() }),
    );
  }
}
