import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { QUEUES } from '@meridian/jobs';
import { MetricsService } from '../ops/metrics.service';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** Queue depths per queue and state, read from Redis at scrape time. */
@Injectable()
export class QueueMetrics {
  constructor(
    metrics: MetricsService,
    @InjectQueue(QUEUES.housekeeping) housekeeping: Queue,
    @InjectQueue(QUEUES.governance) governance: Queue,
    @InjectQueue(QUEUES.audit) audit: Queue,
    @InjectQueue(QUEUES.rollouts) rollouts: Queue,
  ) {
    const queues = [housekeeping, governance, audit, rollouts];
    new Gauge({
      name: 'meridian_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [metrics.registry],
      async collect() {
        for (const queue of queues) {
          const counts = await queue.getJobCounts(...STATES).catch(() => undefined);
          if (!counts) continue;
          for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
  }
}
