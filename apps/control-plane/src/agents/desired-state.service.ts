import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { desiredStateFor, type NodeDesiredState } from '@meridian/db';
import type { DesiredState } from '@meridian/protocol';
import { Counter } from 'prom-client';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { NodeEventsService } from './node-events.service';
import { StreamRegistry } from './stream-registry';

/**
 * The model versions each node should run, over WatchDesiredState: the current state on connect,
 * then a push whenever a rollout (in any worker) or a command (on any replica) changes it. Every
 * message is the node's whole desired state with its revision; a model absent from it is deactivated.
 */
@Injectable()
export class DesiredStateService implements OnModuleInit {
  private readonly logger = new Logger(DesiredStateService.name);
  private readonly pushed: Counter<'trigger'>;

  constructor(
    private readonly db: TenantPrisma,
    private readonly streams: StreamRegistry,
    private readonly events: NodeEventsService,
    metrics: MetricsService,
  ) {
    this.pushed = new Counter({ name: 'meridian_desired_state_pushed_total', help: 'Desired model states written to agent streams, on change or on connect', labelNames: ['trigger'], registers: [metrics.registry] });
  }

  onModuleInit(): void {
    this.events.onDesiredState((event) => {
      void this.push(event.tenantId, event.nodeIds).catch((error: unknown) => this.logger.error({ err: error, tenantId: event.tenantId }, 'desired state push failed'));
    });
  }

  async current(node: NodeIdentity): Promise<DesiredState[]> {
    const states = await this.db.run({ tenantId: node.tenantId }, (tx) => desiredStateFor(tx, [node.nodeId]));
    this.pushed.inc({ trigger: 'connect' });
    return [toMessage(states.get(node.nodeId) ?? { revision: 0, models: [] })];
  }

  private async push(tenantId: string, nodeIds: string[]): Promise<void> {
    const targets = this.streams.forNodes(tenantId, nodeIds, 'desired_state');
    if (targets.length === 0) return;
    const states = await this.db.run({ tenantId }, (tx) => desiredStateFor(tx, [...new Set(targets.map((t) => t.nodeId))]));
    for (const target of targets) {
      const state = states.get(target.nodeId);
      if (state) target.call.write(toMessage(state));
    }
    this.pushed.inc({ trigger: 'change' }, targets.length);
    this.logger.log({ tenantId, streams: targets.length }, 'desired state pushed');
  }
}

function toMessage(state: NodeDesiredState): DesiredState {
  return {
    revision: state.revision,
    models: state.models.map((model) => ({
      modelId: model.modelId,
      name: model.name,
      version: model.version,
      artifactSha256: model.artifactSha256,
      artifactSize: model.artifactSize,
      keyId: model.keyId,
      signature: Buffer.from(model.signature, 'base64'),
      rolloutId: model.rolloutId ?? '',
      manifest: Buffer.from(model.manifest, 'utf8'),
    })),
  };
}
