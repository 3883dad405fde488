import { performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

import { bundleEnvelope, type PolicyBundle } from '@meridian/db';
import { AgentServiceService, type PolicyAck } from '@meridian/protocol';
import { Counter } from 'prom-client';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { policyAckSchema, validateMessage } from './agent-messages';
import { invalidArgument } from './agent-rpc-error';
import { Batcher } from './batcher';
import { encodeOnce, type EncodedMessage } from './encoded-message';
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
  /**
   * The latest bundles of each site (newest first), as connecting agents need them: thousands of
   * agents reconnecting to a site share one query. Dropped when a bundle is announced for the site,
   * and after a short time in any case (a lost announcement must not keep a site stale).
   */
  private readonly latest = new Map<string, { at: number; bundles: Promise<PolicyBundle[]> }>();
  /**
   * The push in progress per site. Pushes of a site run one after the other, in announcement order:
   * after a key rotation the bridge bundle (old key, announcing the new one) must reach the agents
   * before the first bundle signed with the new key, which they could not verify otherwise.
   */
  private readonly pushing = new Map<string, Promise<void>>();
  /** Each cached bundle encoded once, however many agents it is written to. */
  private readonly encoded = new WeakMap<PolicyBundle, EncodedMessage>();
  private readonly applied = new Batcher<{ node: NodeIdentity; ack: PolicyAck }, void>((items) => this.recordApplied(items), { maxSize: 500, maxWaitMs: 5 });

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
      const key = siteKey(event.tenantId, event.siteId);
      this.latest.delete(key);
      const next = (this.pushing.get(key) ?? Promise.resolve())
        .then(() => this.push(event.tenantId, event.siteId, event.version))
        .catch((error: unknown) => this.logger.error({ err: error, ...event }, 'policy push failed'));
      this.pushing.set(key, next);
      void next.then(() => this.pushing.get(key) === next && this.pushing.delete(key));
    });
  }

  /**
   * What a connecting node is missing: the latest bundle — preceded, when the signing key changed
   * meanwhile, by the last bundle of each earlier key (the one that announced its successor), so a
   * node that slept through a key rotation can follow the chain of trust.
   */
  async catchUp(node: NodeIdentity, newerThan: number): Promise<EncodedMessage[]> {
    // The newest 100 of the site filtered to those newer than the node's equal the newest 100 newer than the node's.
    const bundles = (await this.latestOf(node)).filter((bundle) => bundle.version > newerThan);
    const chain: PolicyBundle[] = [];
    for (const bundle of bundles) if (!chain.some((b) => b.keyId === bundle.keyId)) chain.push(bundle);
    if (chain.length) this.pushed.inc({ trigger: 'connect' }, chain.length);
    return chain.reverse().map((bundle) => this.encode(bundle));
  }

  async acknowledge(node: NodeIdentity, ack: PolicyAck): Promise<void> {
    // At the edge: an applied acknowledgement is batched with other nodes' and tenants'.
    ack = validateMessage(policyAckSchema, ack);
    // Applied acknowledgements arrive all at once after a publish: they are written in batches.
    if (ack.applied) return this.applied.submit({ node, ack });
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

  private latestOf(node: NodeIdentity): Promise<PolicyBundle[]> {
    const key = siteKey(node.tenantId, node.siteId);
    const cached = this.latest.get(key);
    if (cached && Date.now() - cached.at < LATEST_TTL_MS) return cached.bundles;
    const bundles = this.db.run({ tenantId: node.tenantId }, (tx) => tx.policyBundle.findMany({ where: { siteId: node.siteId }, orderBy: { version: 'desc' }, take: 100 }));
    const entry = { at: Date.now(), bundles };
    this.latest.set(key, entry);
    bundles.catch(() => this.latest.get(key) === entry && this.latest.delete(key));
    return bundles;
  }

  /**
   * Applied acknowledgements of many nodes in one transaction per tenant: each must name a bundle
   * that really exists for the node's site (otherwise that one is refused), and a node's latest
   * acknowledgement in the batch wins. policy_applied_at is when the row is written (clock_timestamp),
   * not when the transaction began (now()): bench/fleet.mjs measures publish -> acknowledged by it.
   * An acknowledgement of what the node is already recorded with (a re-sent ack, a hello after a
   * reconnect) changes nothing, so policy_applied_at stays when the bundle was first applied.
   */
  private async recordApplied(items: { node: NodeIdentity; ack: PolicyAck }[]): Promise<(void | Error)[]> {
    const results: (void | Error)[] = items.map(() => undefined);
    const byTenant = new Map<string, number[]>();
    items.forEach((item, i) => {
      const indexes = byTenant.get(item.node.tenantId);
      if (indexes) indexes.push(i);
      else byTenant.set(item.node.tenantId, [i]);
    });
    for (const [tenantId, indexes] of byTenant) {
      // Each tenant on its own: a transaction that fails (a value the edge let through, a database
      // error) refuses that tenant's acknowledgements only, never those of others batched with them.
      await this.db.run({ tenantId }, async (tx) => {
        for (const i of indexes) results[i] = undefined; // (the transaction may be run again)
        const wanted = [...new Map(indexes.map((i) => [`${items[i]!.node.siteId}/${items[i]!.ack.version}/${items[i]!.ack.digest}`, items[i]!])).values()];
        const found = await tx.policyBundle.findMany({
          where: { OR: wanted.map(({ node, ack }) => ({ siteId: node.siteId, version: ack.version, digest: ack.digest })) },
          select: { siteId: true, version: true, digest: true },
        });
        const exists = new Set(found.map((b) => `${b.siteId}/${b.version}/${b.digest}`));
        const latestByNode = new Map<string, PolicyAck>();
        for (const i of indexes) {
          const { node, ack } = items[i]!;
          if (!exists.has(`${node.siteId}/${ack.version}/${ack.digest}`)) {
            results[i] = invalidArgument(`no bundle version ${ack.version} with that digest for this site`);
            continue;
          }
          const previous = latestByNode.get(node.nodeId);
          if (!previous || previous.version < ack.version) latestByNode.set(node.nodeId, ack);
        }
        if (latestByNode.size === 0) return;
        const nodeIds = [...latestByNode.keys()];
        const acks = [...latestByNode.values()];
        await tx.$executeRaw`
          UPDATE edge_nodes AS n
          SET applied_policy_version = v.version, applied_policy_digest = v.digest, policy_applied_at = clock_timestamp(), policy_error = NULL, updated_at = now()
          FROM unnest(${nodeIds}::uuid[], ${acks.map((a) => a.version)}::int[], ${acks.map((a) => a.digest)}::text[]) AS v(id, version, digest)
          WHERE n.id = v.id
            AND (n.applied_policy_version IS DISTINCT FROM v.version OR n.applied_policy_digest IS DISTINCT FROM v.digest OR n.policy_error IS NOT NULL)`;
      }).catch((error: unknown) => {
        this.logger.error({ err: error, tenantId, acknowledgements: indexes.length }, 'recording applied policy acknowledgements failed');
        const failed = error instanceof Error ? error : new Error(String(error));
        for (const i of indexes) results[i] = failed;
      });
    }
    const applied = results.filter((r) => r === undefined).length;
    this.acknowledged.inc({ result: 'applied' }, applied);
    return results;
  }

  private async push(tenantId: string, siteId: string, version: number): Promise<void> {
    const started = performance.now();
    const targets = this.streams.forSite(tenantId, siteId, 'policy');
    if (targets.length === 0) return;
    const bundle = await this.db.run({ tenantId }, (tx) => tx.policyBundle.findFirst({ where: { siteId, version } }));
    if (!bundle) return;
    const update = this.encode(bundle);
    // One synchronous loop (tens of microseconds per stream): delivering the bundle to every agent
    // comes before answering acknowledgements. Writing in slices with a turn of the event loop
    // between them let each turn take in up to a thousand acknowledgements first (each an Ed25519
    // verification and a unary call): at 10,000 streams the last bundle left 27 s after the first.
    for (const target of targets) if (!target.call.cancelled) target.call.write(update);
    this.pushed.inc({ trigger: 'publish' }, targets.length);
    // how long writing to every stream took (bench/fleet.mjs reports it when run at LOG_LEVEL=info)
    this.logger.log({ tenantId, siteId, version, streams: targets.length, writeMs: Math.round(performance.now() - started) }, 'policy bundle pushed');
  }

  private encode(bundle: PolicyBundle): EncodedMessage {
    let update = this.encoded.get(bundle);
    if (!update) {
      update = encodeOnce(AgentServiceService.watchPolicy.responseSerialize, { bundle: bundleEnvelope(bundle) });
      this.encoded.set(bundle, update);
    }
    return update;
  }
}

const LATEST_TTL_MS = 10_000;
const siteKey = (tenantId: string, siteId: string) => `${tenantId}/${siteId}`;

