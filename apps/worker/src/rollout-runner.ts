import { batchNodes, recordControlPlaneEvent, rollBackRollout, startRolloutBatch, type Rollout, type TenantTx } from '@meridian/db';
import { counterDelta, evaluateBatch, rolloutStrategySchema, TERMINAL_NODE_MODEL_STATES, type GateResult, type NodeModelState } from '@meridian/models';

export const ROLLOUT_ACTOR = 'system:rollout-worker';

export interface RolloutStep {
  /** What happened: idle (not running, or another worker has it), started-batch, waiting, pausing, passed, completed, rolled-back. */
  step: string;
  /** Nodes whose desired state changed (to announce once the transaction committed). */
  changed: string[];
  /** Nodes of the current batch that have not reported anything for a while: worth announcing again. */
  silent?: string[];
}

/** A node of the batch that has said nothing this long may have missed its push (say, a worker died between commit and announcement). */
export const SILENT_AFTER_MS = 10_000;

/**
 * One step of a rollout, inside the caller's tenant transaction. Re-reads everything from the
 * database and holds the rollout row lock, so a step is idempotent, two workers never advance the
 * same rollout at once, and a worker killed mid-step leaves nothing half done (the transaction rolls back).
 */
export async function advanceRollout(tx: TenantTx, rolloutId: string, now: Date): Promise<RolloutStep> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM rollouts WHERE id = ${rolloutId}::uuid AND status = 'running' FOR UPDATE SKIP LOCKED`;
  if (locked.length === 0) return { step: 'idle', changed: [] };
  const rollout = await tx.rollout.findFirstOrThrow({ where: { id: rolloutId } });
  const strategy = rolloutStrategySchema.parse(rollout.strategy);
  const gateResults = (rollout.gateResults ?? []) as unknown as GateResult[];

  if (rollout.currentBatch === 0) return startBatch(tx, rollout, 1, now, gateResults);
  if (rollout.batchPassedAt) {
    if (now.getTime() - rollout.batchPassedAt.getTime() < strategy.pauseSeconds * 1000) return { step: 'pausing', changed: [] };
    return startBatch(tx, rollout, rollout.currentBatch + 1, now, gateResults);
  }

  const nodes = await batchNodes(tx, rolloutId, rollout.currentBatch);
  const settled = nodes.every((node) => TERMINAL_NODE_MODEL_STATES.includes(node.state as NodeModelState));
  const settledAt = settled ? new Date(Math.max(...nodes.map((node) => node.updatedAt.getTime()), rollout.batchStartedAt?.getTime() ?? 0)) : null;
  const verdict = evaluateBatch({
    batch: rollout.currentBatch,
    nodes: nodes.map((node) => ({ state: node.state, requests: counterDelta(node.requests, node.baselineRequests), errors: counterDelta(node.errors, node.baselineErrors) })),
    gate: strategy.gate,
    batchStartedAt: rollout.batchStartedAt ?? now,
    timeoutSeconds: strategy.batchTimeoutSeconds,
    settledAt,
    now,
  });
  if (verdict.kind === 'wait') {
    const silent = nodes.filter((node) => node.state === 'pending' && now.getTime() - node.updatedAt.getTime() >= SILENT_AFTER_MS).map((node) => node.nodeId);
    return { step: 'waiting', changed: [], silent };
  }
  const results = [...gateResults, verdict.result];

  if (!verdict.result.passed) {
    const changed = await rollBackRollout(tx, rollout);
    const reason = `batch ${rollout.currentBatch} failed its health gate: ${verdict.result.reasons.join('; ')}`;
    await tx.rollout.update({ where: { id: rolloutId }, data: { status: 'rolled_back', reason, gateResults: results as object[], finishedAt: now } });
    await recordControlPlaneEvent(tx, rollout.tenantId, { type: 'rollout.gate_failed', actor: ROLLOUT_ACTOR, data: { rolloutId, modelId: rollout.modelId, version: rollout.version, gate: verdict.result, nodesSentBack: changed.length } });
    return { step: 'rolled-back', changed };
  }
  if (rollout.currentBatch >= rollout.totalBatches) {
    await tx.rollout.update({ where: { id: rolloutId }, data: { status: 'completed', gateResults: results as object[], finishedAt: now } });
    await recordControlPlaneEvent(tx, rollout.tenantId, { type: 'rollout.completed', actor: ROLLOUT_ACTOR, data: { rolloutId, modelId: rollout.modelId, version: rollout.version, batches: rollout.totalBatches } });
    return { step: 'completed', changed: [] };
  }
  if (strategy.pauseSeconds === 0) return startBatch(tx, rollout, rollout.currentBatch + 1, now, results);
  await tx.rollout.update({ where: { id: rolloutId }, data: { gateResults: results as object[], batchPassedAt: now } });
  return { step: 'passed', changed: [] };
}

async function startBatch(tx: TenantTx, rollout: Rollout, batch: number, now: Date, gateResults: GateResult[]): Promise<RolloutStep> {
  const changed = await startRolloutBatch(tx, rollout, batch);
  await tx.rollout.update({ where: { id: rollout.id }, data: { currentBatch: batch, batchStartedAt: now, batchPassedAt: null, gateResults: gateResults as object[] } });
  await recordControlPlaneEvent(tx, rollout.tenantId, { type: 'rollout.batch_started', actor: ROLLOUT_ACTOR, data: { rolloutId: rollout.id, batch, of: rollout.totalBatches, nodes: changed.length } });
  return { step: `started-batch-${batch}`, changed };
}
