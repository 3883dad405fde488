import type { KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { publicKeyFromRaw, verifyEd25519 } from '@meridian/crypto';
import { NodeStatus } from '@meridian/db';
import { MAX_CLOCK_SKEW_MS, readSignedRequest, requestSigningPayload } from '@meridian/protocol';
import { InjectConfig } from '../config/config.module';
import { SystemPrisma } from '../prisma/prisma.service';
import { InjectRedis } from '../redis/redis.module';
import { permissionDenied, unauthenticated } from './agent-rpc-error';
import { AgentMetrics } from './agent.metrics';
import { Batcher } from './batcher';
import { receivedDigestOf } from './request-digest';

/** An authenticated edge node: everything it may touch is within this tenant and site. */
export interface NodeIdentity {
  nodeId: string;
  tenantId: string;
  siteId: string;
  siteCountry: string;
}

interface CachedNode extends NodeIdentity {
  /** Parsed once per cache entry (building a key object costs more than verifying a signature); undefined if the stored key is unusable. */
  publicKey: KeyObject | undefined;
  /** The stored key the parsed one was made from: a reload that finds it unchanged keeps the parsed key. */
  storedKey: string;
  revoked: boolean;
  fetchedAt: number;
}

// Short, so a key or status change made by another replica is seen quickly even if its event is lost.
const NODE_CACHE_TTL_MS = 5_000;

/**
 * Verifies the per-call node signature (see agent.proto): known, unrevoked node; timestamp within
 * the allowed skew; valid Ed25519 signature over method, node, time, nonce and the request body's
 * digest where the node signed one; nonce never seen before (kept in Redis, so a request replayed to
 * another replica is refused as well).
 */
@Injectable()
export class AgentAuthService {
  private readonly cache = new Map<string, CachedNode>();
  /** Lookups of the same node already on their way (thousands of agents reconnecting at once ask once each). */
  private readonly inFlight = new Map<string, Promise<CachedNode | undefined>>();
  private readonly loader = new Batcher<string, CachedNode | undefined>((ids) => this.load(ids), { maxSize: 500, maxWaitMs: 2 });

  constructor(
    private readonly system: SystemPrisma,
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
    private readonly metrics: AgentMetrics,
  ) {}

  /**
   * `request`: the call's request message as the server decoded it (none for PolicyChannel). When
   * the node signed its body, the digest it signed must be that of the bytes received; a call from an
   * agent that does not sign bodies yet is accepted and counted (meridian_agent_unsigned_body_total).
   */
  async authenticate(metadata: Metadata, methodPath: string, request?: unknown): Promise<NodeIdentity> {
    const fields = readSignedRequest(metadata);
    if ('error' in fields) throw unauthenticated(fields.error);
    if (fields.bodyDigest !== undefined && fields.bodyDigest !== receivedDigestOf(request)) {
      throw unauthenticated('request body does not match the digest the node signed (altered on the way?)');
    }
    if (Math.abs(Date.now() - fields.timestamp) > MAX_CLOCK_SKEW_MS) {
      throw unauthenticated('request timestamp is outside the allowed window; check the node clock');
    }
    const node = await this.lookup(fields.nodeId);
    if (!node) throw unauthenticated('unknown node');
    if (node.revoked) throw permissionDenied('node has been revoked');
    const payload = requestSigningPayload(methodPath, fields.nodeId, fields.timestamp, fields.nonce, fields.bodyDigest);
    if (!node.publicKey || !verifyEd25519(node.publicKey, payload, fields.signature)) throw unauthenticated('signature does not match the node key');
    const fresh = await this.redis.set(`${this.config.redis.queuePrefix}:agent-nonce:${fields.nodeId}:${fields.nonce}`, '1', 'PX', 2 * MAX_CLOCK_SKEW_MS, 'NX');
    if (fresh !== 'OK') throw unauthenticated('replayed request (nonce already used)');
    if (fields.bodyDigest === undefined && request !== undefined) this.metrics.unsignedBody(methodPath);
    return { nodeId: node.nodeId, tenantId: node.tenantId, siteId: node.siteId, siteCountry: node.siteCountry };
  }

  /** The parsed public key of a node authenticated recently (from the cache), if still there. */
  keyOf(nodeId: string): KeyObject | undefined {
    return this.cache.get(nodeId)?.publicKey;
  }

  forget(nodeId: string): void {
    this.cache.delete(nodeId);
  }

  /** Nodes among `nodeIds` that are revoked or gone: a safety net behind the revocation events. */
  async revokedAmong(nodeIds: string[]): Promise<string[]> {
    if (nodeIds.length === 0) return [];
    const alive = await this.system.client.edgeNode.findMany({
      where: { id: { in: nodeIds }, status: { not: NodeStatus.revoked } },
      select: { id: true },
    });
    const aliveIds = new Set(alive.map((n) => n.id));
    return nodeIds.filter((id) => !aliveIds.has(id));
  }

  // Authentication happens before the tenant is known, so this lookup uses the system connection.
  private async lookup(nodeId: string): Promise<CachedNode | undefined> {
    const cached = this.cache.get(nodeId);
    if (cached && Date.now() - cached.fetchedAt < NODE_CACHE_TTL_MS) return cached;
    let pending = this.inFlight.get(nodeId);
    if (!pending) {
      pending = this.loader.submit(nodeId).finally(() => this.inFlight.delete(nodeId));
      this.inFlight.set(nodeId, pending);
    }
    return pending;
  }

  /** One query for all the nodes looked up within a couple of milliseconds. */
  private async load(nodeIds: string[]): Promise<(CachedNode | undefined)[]> {
    const rows = await this.system.client.edgeNode.findMany({
      where: { id: { in: nodeIds } },
      select: { id: true, tenantId: true, siteId: true, publicKey: true, status: true, site: { select: { country: true } } },
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return nodeIds.map((nodeId) => {
      const row = byId.get(nodeId);
      if (!row?.publicKey) {
        this.cache.delete(nodeId);
        return undefined;
      }
      const previous = this.cache.get(nodeId);
      const node: CachedNode = {
        nodeId: row.id,
        tenantId: row.tenantId,
        siteId: row.siteId,
        siteCountry: row.site.country,
        publicKey: previous?.storedKey === row.publicKey ? previous.publicKey : parseKey(row.publicKey),
        storedKey: row.publicKey,
        revoked: row.status === NodeStatus.revoked,
        fetchedAt: Date.now(),
      };
      this.cache.set(nodeId, node);
      return node;
    });
  }
}

function parseKey(base64: string): KeyObject | undefined {
  try {
    return publicKeyFromRaw(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}
