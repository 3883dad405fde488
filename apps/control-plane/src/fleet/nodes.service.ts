import { Injectable } from '@nestjs/common';
import { fieldChanges, recordChange } from '../audit/record';
import type { AppConfig } from '@meridian/config';
import { NodeStatus, type AuditSource, type EdgeNode, type Prisma, type TenantTx } from '@meridian/db';
import { NodeEventsService } from '../agents/node-events.service';
import { InjectConfig } from '../config/config.module';
import { tenantContext, type Principal } from '../auth/principal';
import { keyset, toPage, type Page } from '../common/pagination';
import { conflict, notFound } from '../common/problem';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeQuery, NodeView, UpdateNodeDto } from './dto/node.dto';
import { deriveNodeStatus, nodeStatusFilter } from './node-status';
import { siteScope } from './site-scope';

/**
 * The columns a node's view shows. Reads select only these: every column costs the data-access layer
 * on each row of a page, and key material and policy bookkeeping have no place in a listing.
 */
const VIEW_COLUMNS = {
  id: true,
  siteId: true,
  name: true,
  labels: true,
  status: true,
  reported: true,
  agentVersion: true,
  lastSeenAt: true,
  enrolledAt: true,
  revokedAt: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.EdgeNodeSelect;
type NodeRow = Pick<EdgeNode, keyof typeof VIEW_COLUMNS>;
type ChainRow = Pick<AuditSource, 'sourceId' | 'lastSeq' | 'brokenAt' | 'brokenReason'>;

/** Edge nodes come into being by enrolling (see enrollment tokens); here they are read, labelled and revoked. */
@Injectable()
export class NodesService {
  private readonly intervalSeconds: number;

  constructor(
    private readonly db: TenantPrisma,
    private readonly events: NodeEventsService,
    @InjectConfig() config: AppConfig,
  ) {
    this.intervalSeconds = config.agents.heartbeatIntervalSeconds;
  }

  list(principal: Principal, query: NodeQuery): Promise<Page<NodeView>> {
    const page = keyset(query);
    const site = { ...siteScope(principal), ...(query.country ? { country: query.country } : {}) };
    const where = {
      AND: [{ site }, query.siteId ? { siteId: query.siteId } : {}, query.status ? nodeStatusFilter(query.status, this.intervalSeconds) : {}, page.where],
    };
    return this.db.run(tenantContext(principal), async (tx) => {
      const rows = await tx.edgeNode.findMany({ where, orderBy: page.orderBy, take: page.take, select: VIEW_COLUMNS });
      const chains = await auditChains(tx, rows.map((row) => row.id));
      return toPage(rows, page.pageSize, (row) => this.toView(row, chains.get(row.id)));
    });
  }

  get(principal: Principal, id: string): Promise<NodeView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const node = await findNode(tx, principal, id);
      return this.toView(node, (await auditChains(tx, [node.id])).get(node.id));
    });
  }

  update(principal: Principal, id: string, input: UpdateNodeDto): Promise<NodeView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const node = await findNode(tx, principal, id);
      if (input.name && input.name !== node.name && (await tx.edgeNode.findFirst({ where: { siteId: node.siteId, name: input.name } }))) {
        throw conflict(`a node named "${input.name}" exists on this site`);
      }
      const updated = await tx.edgeNode.update({
        where: { id: node.id },
        data: { ...(input.name ? { name: input.name } : {}), ...(input.labels ? { labels: input.labels } : {}) },
        select: VIEW_COLUMNS,
      });
      // Labels decide which rollouts reach a node: who changed them is on record.
      const changes = fieldChanges(node, updated, ['name', 'labels']);
      if (Object.keys(changes).length > 0) await recordChange(tx, principal, 'admin.node.changed', { nodeId: node.id, name: updated.name, changes }, node.siteId);
      return this.toView(updated);
    });
  }

  /**
   * A revoked node keeps its history but may never authenticate again. Every replica is told at
   * once and cuts the node's open streams (a periodic sweep catches a lost event within seconds).
   */
  async revoke(principal: Principal, id: string): Promise<NodeView> {
    const node = await this.db.run(tenantContext(principal), async (tx) => {
      const found = await findNode(tx, principal, id);
      if (found.status === NodeStatus.revoked) return found;
      await recordChange(tx, principal, 'admin.node.revoked', { nodeId: found.id, name: found.name }, found.siteId);
      return tx.edgeNode.update({ where: { id: found.id }, data: { status: NodeStatus.revoked, revokedAt: new Date() } });
    });
    await this.events.publishRevoked({ nodeId: node.id, tenantId: principal.tenantId });
    return this.toView(node);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.db.run(tenantContext(principal), async (tx) => {
      const node = await findNode(tx, principal, id);
      await tx.edgeNode.delete({ where: { id: node.id } });
      await recordChange(tx, principal, 'admin.node.removed', { nodeId: node.id, name: node.name }, node.siteId);
    });
    await this.events.publishRevoked({ nodeId: id, tenantId: principal.tenantId });
  }

  private toView(row: NodeRow, chain?: ChainRow): NodeView {
    return toView(row, deriveNodeStatus(row.status, row.lastSeenAt, this.intervalSeconds), chain);
  }
}

async function findNode(tx: TenantTx, principal: Principal, id: string): Promise<NodeRow> {
  const node = await tx.edgeNode.findFirst({ where: { id, site: siteScope(principal) }, select: VIEW_COLUMNS });
  if (!node) throw notFound('node');
  return node;
}

/**
 * Where each node's uploaded audit chain stands (the node id is its audit source id). The ids go as
 * one array parameter: Prisma's `in` list is handled element by element, and for a page of 50 nodes
 * it cost more CPU than the page itself (bench/read-costs.mjs). Row-level security applies as to any
 * statement of the transaction.
 */
async function auditChains(tx: TenantTx, nodeIds: string[]): Promise<Map<string, ChainRow>> {
  if (nodeIds.length === 0) return new Map();
  const sources = await tx.$queryRaw<ChainRow[]>`
    SELECT source_id AS "sourceId", last_seq AS "lastSeq", broken_at AS "brokenAt", broken_reason AS "brokenReason"
    FROM audit_sources WHERE source_id = ANY(${nodeIds}::text[])`;
  return new Map(sources.map((source) => [source.sourceId, source]));
}

function toView(row: NodeRow, status: NodeStatus, chain?: ChainRow): NodeView {
  return {
    id: row.id,
    siteId: row.siteId,
    name: row.name,
    labels: (row.labels ?? {}) as Record<string, string>,
    status,
    reported: (row.reported ?? {}) as NodeView['reported'],
    agentVersion: row.agentVersion,
    lastSeenAt: row.lastSeenAt,
    enrolledAt: row.enrolledAt,
    revokedAt: row.revokedAt,
    auditChain: chain ? { acknowledgedSeq: Number(chain.lastSeq), brokenAt: chain.brokenAt, brokenReason: chain.brokenReason } : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
