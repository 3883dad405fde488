import { Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { TenantTx } from '@meridian/db';
import { canTransition, isNodeModelState, isSemver, NODE_MODEL_STATES, type NodeModelState } from '@meridian/models';
import type { ModelStateReport } from '@meridian/protocol';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { MetricsService } from '../ops/metrics.service';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { validateMessage } from './agent-messages';
import { AgentRpcError } from './agent-rpc-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const reportSchema = z.object({
  modelId: z.string().regex(UUID, 'must be a model id'),
  version: z.string().refine(isSemver, 'must be a semantic version'),
  state: z.string().refine(isNodeModelState, `must be one of ${NODE_MODEL_STATES.join(', ')}`),
  detail: z.string().max(1000),
  rolloutId: z.string().regex(new RegExp(`^(${UUID.source.slice(1, -1)})?$`, 'i'), 'must be a rollout id or empty'),
});

const failedPrecondition = (message: string) => new AgentRpcError(GrpcStatus.FAILED_PRECONDITION, message);

/**
 * ReportModelState: where a node is with the version its desired state names. Persisted per node
 * and per rollout node; a node that reports its previous version active after a rollback is
 * recorded as rolled back in that rollout.
 */
@Injectable()
export class ModelReportsService {
  private readonly reports: Counter<'state'>;

  constructor(
    private readonly db: TenantPrisma,
    metrics: MetricsService,
  ) {
    this.reports = new Counter({ name: 'meridian_model_state_reports_total', help: 'Model state reports accepted from agents, by state', labelNames: ['state'], registers: [metrics.registry] });
  }

  async report(node: NodeIdentity, message: ModelStateReport): Promise<void> {
    const report = validateMessage(reportSchema, message) as { modelId: string; version: string; state: NodeModelState; detail: string; rolloutId: string };
    await this.db.run({ tenantId: node.tenantId }, async (tx) => {
      // Row lock: two reports of one node for one model are applied in order, never interleaved.
      const rows = await tx.$queryRaw<{ desired_version: string; state: NodeModelState; rollout_id: string | null }[]>`
        SELECT desired_version, state::text AS state, rollout_id FROM node_models WHERE node_id = ${node.nodeId}::uuid AND model_id = ${report.modelId}::uuid FOR UPDATE`;
      const current = rows[0];
      if (!current) throw failedPrecondition(`model ${report.modelId} is not in this node's desired state`);
      if (current.desired_version !== report.version) {
        throw failedPrecondition(`version ${report.version} is not the desired version of model ${report.modelId} (desired: ${current.desired_version})`);
      }
      if (!canTransition(current.state, report.state)) throw failedPrecondition(`cannot move from ${current.state} to ${report.state}`);
      await tx.nodeModel.update({
        where: { tenantId_nodeId_modelId: { tenantId: node.tenantId, nodeId: node.nodeId, modelId: report.modelId } },
        data: { state: report.state, detail: report.detail || null, reportedAt: new Date() },
      });
      if (current.rollout_id) await this.applyToRollout(tx, node.nodeId, String(current.rollout_id), report);
    });
    this.reports.inc({ state: report.state });
  }

  private async applyToRollout(tx: TenantTx, nodeId: string, rolloutId: string, report: { version: string; state: NodeModelState; detail: string }): Promise<void> {
    const entry = await tx.rolloutNode.findFirst({ where: { rolloutId, nodeId }, include: { rollout: { select: { version: true } } } });
    if (!entry) return;
    if (entry.rollout.version === report.version) {
      if (entry.state !== report.state && canTransition(entry.state, report.state)) {
        await tx.rolloutNode.update({ where: { rolloutId_nodeId: { rolloutId, nodeId } }, data: { state: report.state, detail: report.detail || null } });
      }
      return;
    }
    if (report.state === 'active' && entry.previousVersion === report.version && entry.state !== 'rolled_back') {
      await tx.rolloutNode.update({ where: { rolloutId_nodeId: { rolloutId, nodeId } }, data: { state: 'rolled_back', detail: `back on ${report.version}` } });
    }
  }
}
