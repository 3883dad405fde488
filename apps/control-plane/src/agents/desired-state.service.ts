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
  /** Highest revision written to each open stream. */
  private readonly sent = new WeakMap<object, number>();

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

  /**
   * What a node gets on connect. A push may reach the stream while this is read: whichever comes
   * second is dropped if it is not newer, so a stream never goes back in revision.
   */
  async current(node: NodeIdentity, call: object): Promise<DesiredState[]> {
    const states = await this.db.run({ tenantId: node.tenantId }, (tx) => desiredStateFor(tx, [node.nodeId]));
    const state = states.get(node.nodeId) ?? { revision: 0, models: [] };
    if (!this.claim(call, state.revision, true)) return [];
    this.pushed.inc({ trigger: 'connect' });
    return [toMessage(state)];
  }

  private claim(call: object, revision: number, onConnect: boolean): boolean {
    const last = this.sent.get(call);
    // On connect the current state goes out even at revision 0 (nothing desired yet); later only newer ones.
    if (last !== undefined ? revision <= last : !onConnect && revision === 0) return false;
    this.sent.set(call, revision);
    return true;
  }

  private async push(tenantId: string, nodeIds: string[]): Promise<void> {
    const targets = this.streams.forNodes(tenantId, nodeIds, 'desired_state');
    if (targets.length === 0) return;
    const states = await this.db.run({ tenantId }, (tx) => desiredStateFor(tx, [...new Set(targets.map((t) => t.nodeId))]));
    for (const target of targets) {
      const state = states.get(target.nodeId);
      if (state && this.claim(target.call, state.revision, false)) target.call.write(toMessage(state));
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
