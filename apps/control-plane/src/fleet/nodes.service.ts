import { Injectable } from '@nestjs/common';
import { NodeStatus, type EdgeNode, type TenantTx } from '@meridian/db';
import { tenantContext, type Principal } from '../auth/principal';
import { keyset, toPage, type Page } from '../common/pagination';
import { conflict, notFound } from '../common/problem';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeQuery, NodeView, UpdateNodeDto } from './dto/node.dto';
import { siteScope } from './site-scope';

/** Edge nodes come into being by enrolling (see enrollment tokens); here they are read, labelled and revoked. */
@Injectable()
export class NodesService {
  constructor(private readonly db: TenantPrisma) {}

  list(principal: Principal, query: NodeQuery): Promise<Page<NodeView>> {
    const page = keyset(query);
    const site = { ...siteScope(principal), ...(query.country ? { country: query.country } : {}) };
    const where = {
      AND: [{ site }, query.siteId ? { siteId: query.siteId } : {}, query.status ? { status: query.status } : {}, page.where],
    };
    return this.db.run(tenantContext(principal), async (tx) =>
      toPage(await tx.edgeNode.findMany({ where, orderBy: page.orderBy, take: page.take }), page.pageSize, toView),
    );
  }

  get(principal: Principal, id: string): Promise<NodeView> {
    return this.db.run(tenantContext(principal), async (tx) => toView(await findNode(tx, principal, id)));
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
      });
      return toView(updated);
    });
  }

  /** A revoked node keeps its history but may never authenticate again. */
  revoke(principal: Principal, id: string): Promise<NodeView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const node = await findNode(tx, principal, id);
      if (node.status === NodeStatus.revoked) return toView(node);
      return toView(await tx.edgeNode.update({ where: { id: node.id }, data: { status: NodeStatus.revoked, revokedAt: new Date() } }));
    });
  }

  remove(principal: Principal, id: string): Promise<void> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const node = await findNode(tx, principal, id);
      await tx.edgeNode.delete({ where: { id: node.id } });
    });
  }
}

async function findNode(tx: TenantTx, principal: Principal, id: string): Promise<EdgeNode> {
  const node = await tx.edgeNode.findFirst({ where: { id, site: siteScope(principal) } });
  if (!node) throw notFound('node');
  return node;
}

function toView(row: EdgeNode): NodeView {
  return {
    id: row.id,
    siteId: row.siteId,
    name: row.name,
    labels: (row.labels ?? {}) as Record<string, string>,
    status: row.status,
    agentVersion: row.agentVersion,
    lastSeenAt: row.lastSeenAt,
    enrolledAt: row.enrolledAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
