import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

import { bundleEnvelope, type PolicyBundle } from '@meridian/db';
import type { PolicyAck, PolicyUpdate } from '@meridian/protocol';
import { Counter } from 'prom-client';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { invalidArgument } from './agent-rpc-error';
import { NodeEventsService } from './node-events.service';
import { StreamRegistry } from './stream-registry';

/**
 * Push, not poll: a compiled bundle is announced on Redis by the worker; every replica writes it to
 * the WatchPolicy streams of that site it holds. Agents that connect later get the latest on connect.
 */
@Injectable()
export class PolicyPushService implements OnModuleInit {
  private readonly logger = new Logger(PolicyPushService.name);
  private readonly pushed: Counter<'trigger'>;
  private readonly acknowledged: Counter<'result'>;

  constructor(
    private readonly db: TenantPrisma,
    private readonly streams: StreamRegistry,
    private readonly events: NodeEventsService,
    metrics: MetricsService,
  ) {
    this.pushed = new Counter({ name: 'meridian_policy_bundles_pushed_total', help: 'Bundles written to agent streams, on publish or on connect', labelNames: ['trigger'], registers: [metrics.registry] });
    this.acknowledged = new Counter({ name: 'meridian_policy_bundles_acknowledged_total', help: 'Bundle acknowledgements from agents', labelNames: ['result'], registers: [metrics.registry] });
  }

  onModuleInit(): void {
    this.events.onPolicyBundle((event) => {
      void this.push(event.tenantId, event.siteId, event.version).catch((error: unknown) => this.logger.error({ err: error, ...event }, 'policy push failed'));
    });
  }

  /**
   * What a connecting node is missing: the latest bundle — preceded, when the signing key changed
   * meanwhile, by the last bundle of each earlier key (the one that announced its successor), so a
   * node that slept through a key rotation can follow the chain of trust.
   */
  async catchUp(node: NodeIdentity, newerThan: number): Promise<PolicyUpdate[]> {
    const bundles = await this.db.run({ tenantId: node.tenantId }, (tx) =>
      tx.policyBundle.findMany({ where: { siteId: node.siteId, version: { gt: newerThan } }, orderBy: { version: 'desc' }, take: 100 }),
    );
    const chain: PolicyBundle[] = [];
    for (const bundle of bundles) if (!chain.some((b) => b.keyId === bundle.keyId)) chain.push(bundle);
    if (chain.length) this.pushed.inc({ trigger: 'connect' }, chain.length);
    return chain.reverse().map(toUpdate);
  }

  async acknowledge(node: NodeIdentity, ack: PolicyAck): Promise<void> {
    if (!Number.isInteger(ack.version) || ack.version < 0 || ack.digest.length > 64 || ack.error.length > 500) throw invalidArgument('malformed acknowledgement');
    await this.db.run({ tenantId: node.tenantId }, async (tx) => {
      this.acknowledged.inc({ result: ack.applied ? 'applied' : 'refused' });
      if (!ack.applied) {
        await tx.edgeNode.update({ where: { id: node.nodeId }, data: { policyError: ack.error || 'refused', policyAppliedAt: new Date() } });
        return;
      }
      // Only a bundle that really exists for this node's site can be acknowledged as applied.
      const bundle = await tx.policyBundle.findFirst({ where: { siteId: node.siteId, version: ack.version, digest: ack.digest } });
      if (!bundle) throw invalidArgument(`no bundle version ${ack.version} with that digest for this site`);
      await tx.edgeNode.update({
        where: { id: node.nodeId },
        data: { appliedPolicyVersion: ack.version, appliedPolicyDigest: ack.digest, policyAppliedAt: new Date(), policyError: null },
      });
    });
  }

  private async push(tenantId: string, siteId: string, version: number): Promise<void> {
    const targets = this.streams.forSite(tenantId, siteId, 'policy');
    if (targets.length === 0) return;
    const bundle = await this.db.run({ tenantId }, (tx) => tx.policyBundle.findFirst({ where: { siteId, version } }));
    if (!bundle) return;
    const update = toUpdate(bundle);
    for (const target of targets) target.call.write(update);
    this.pushed.inc({ trigger: 'publish' }, targets.length);
    this.logger.log({ tenantId, siteId, version, streams: targets.length }, 'policy bundle pushed');
  }
}

function toUpdate(bundle: PolicyBundle): PolicyUpdate {
  return { bundle: bundleEnvelope(bundle) };
}

