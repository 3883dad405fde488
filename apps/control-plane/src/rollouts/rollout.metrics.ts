import { Injectable } from '@nestjs/common';
import { NODE_MODEL_STATES } from '@meridian/models';
import { Gauge } from 'prom-client';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';

const ROLLOUT_STATUSES = ['running', 'paused', 'completed', 'rolled_back', 'aborted'] as const;

/** Rollout states on /metrics (issue #9): nodes by state in rollouts in progress, rollouts by status. Read at scrape time. */
@Injectable()
export class RolloutMetrics {
  constructor(metrics: MetricsService, db: TenantPrisma) {
    let pending: ReturnType<TenantPrisma['rolloutMetrics']> | undefined;
    // Both gauges collect in one scrape; share the query.
    const read = () => (pending ??= db.rolloutMetrics().finally(() => setTimeout(() => (pending = undefined), 500).unref()));
    new Gauge({
      name: 'meridian_rollout_nodes',
      help: 'Nodes of rollouts in progress (running or paused), by node model state',
      labelNames: ['state'],
      registers: [metrics.registry],
      async collect() {
        const snapshot = await read().catch(() => undefined);
        if (!snapshot) return;
        for (const state of NODE_MODEL_STATES) this.set({ state }, snapshot.nodes.find((n) => n.state === state)?.count ?? 0);
      },
    });
    new Gauge({
      name: 'meridian_rollouts',
      help: 'Rollouts by status',
      labelNames: ['status'],
      registers: [metrics.registry],
      async collect() {
        const snapshot = await read().catch(() => undefined);
        if (!snapshot) return;
        for (const status of ROLLOUT_STATUSES) this.set({ status }, snapshot.rollouts.find((r) => r.status === status)?.count ?? 0);
      },
    });
  }
}
