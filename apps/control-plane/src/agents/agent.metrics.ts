import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../ops/metrics.service';
import { StreamRegistry } from './stream-registry';

/** Agent connection and call metrics, on the same /metrics as the HTTP ones. */
@Injectable()
export class AgentMetrics {
  private readonly calls: Counter<'method' | 'code'>;
  private readonly latency: Histogram<'method'>;
  private readonly unsignedBodies: Counter<'method'>;

  constructor(metrics: MetricsService, streams: StreamRegistry) {
    const registers = [metrics.registry];
    this.calls = new Counter({ name: 'meridian_agent_rpc_total', help: 'Agent gRPC calls by method and status', labelNames: ['method', 'code'], registers });
    this.latency = new Histogram({
      name: 'meridian_agent_rpc_duration_seconds',
      help: 'Agent gRPC unary call latency (streams: time to open)',
      labelNames: ['method'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    this.unsignedBodies = new Counter({
      name: 'meridian_agent_unsigned_body_total',
      help: 'Authenticated agent calls whose request body the node did not sign (agents older than session 10): update those agents',
      labelNames: ['method'],
      registers,
    });
    new Gauge({
      name: 'meridian_agent_streams',
      help: 'Agent server streams open on this replica, by stream',
      labelNames: ['stream'],
      registers,
      collect() {
        for (const [stream, count] of Object.entries(streams.counts())) this.set({ stream }, count);
      },
    });
    new Gauge({
      name: 'meridian_agents_connected',
      help: 'Distinct agents holding at least one stream on this replica',
      registers,
      collect() {
        this.set(streams.nodeIds().length);
      },
    });
  }

  unsignedBody(methodPath: string): void {
    this.unsignedBodies.inc({ method: methodPath.slice(methodPath.lastIndexOf('/') + 1) });
  }

  observe(method: string, code: string, started: bigint): void {
    this.calls.inc({ method, code });
    this.latency.observe({ method }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
