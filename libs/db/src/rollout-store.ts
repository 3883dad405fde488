import type { TenantTx } from './tenant-scope';

/**
 * The desired model state of nodes and the rollout steps that change it, shared by the API
 * (rollback and abort commands, agent reports) and the worker (which runs rollouts). Every step is
 * a handful of set-based statements, whatever the number of nodes, and is idempotent: running it
 * again after a crash finds nothing left to do.
 */

export interface DesiredModelRow {
  modelId: string;
  name: string;
  version: string;
  artifactSha256: string;
  artifactSize: number;
  keyId: string;
  signature: string;
  manifest: string;
  rolloutId: string | null;
}

export interface NodeDesiredState {
  revision: number;
  models: DesiredModelRow[];
}

/**
 * The desired state of each of these nodes (of the transaction's tenant): revision and the published
 * versions to run. The revision is read first: a change committed between the two reads makes the
 * models newer than the revision says, never older, so an agent is never told an old state under a
 * new revision (the push of the newer revision follows). (One statement joining both ran into a
 * nested-loop plan under RLS: seconds for a thousand nodes instead of milliseconds.)
 */
export async function desiredStateFor(tx: TenantTx, nodeIds: string[]): Promise<Map<string, NodeDesiredState>> {
  const out = new Map<string, NodeDesiredState>();
  if (nodeIds.length === 0) return out;
  const nodes = await tx.edgeNode.findMany({ where: { id: { in: nodeIds } }, select: { id: true, desiredRevision: true } });
  for (const node of nodes) out.set(node.id, { revision: node.desiredRevision, models: [] });
  const rows = await tx.$queryRaw<(Omit<DesiredModelRow, 'artifactSize'> & { nodeId: string; artifactSize: bigint })[]>`
    SELECT nm.node_id AS "nodeId", nm.model_id AS "modelId", m.name, mv.version, mv.artifact_sha256 AS "artifactSha256",
           mv.artifact_size AS "artifactSize", mv.key_id AS "keyId", mv.signature, mv.manifest, nm.rollout_id AS "rolloutId"
    FROM node_models nm
    JOIN models m ON m.tenant_id = nm.tenant_id AND m.id = nm.model_id
    JOIN model_versions mv ON mv.tenant_id = nm.tenant_id AND mv.model_id = nm.model_id AND mv.version = nm.desired_version AND mv.status = 'published'
    WHERE nm.node_id = ANY(${nodeIds}::uuid[])
    ORDER BY m.name`;
  for (const row of rows) {
    const { nodeId, ...model } = row;
    out.get(String(nodeId))?.models.push({ ...model, modelId: String(model.modelId), rolloutId: model.rolloutId ? String(model.rolloutId) : null, artifactSize: Number(row.artifactSize) });
  }
  return out;
}

/** Raises the nodes' desired-state revisions (monotonic per node), so agents can tell a push is new. */
async function bumpRevisions(tx: TenantTx, nodeIds: string[]): Promise<void> {
  if (nodeIds.length === 0) return;
  await tx.$executeRaw`UPDATE edge_nodes SET desired_revision = desired_revision + 1 WHERE id = ANY(${nodeIds}::uuid[])`;
}

/**
 * Starts batch `batch` of a rollout: records each node's version to go back to and its inference
 * counters, points its desired state at the rollout's version, raises its revision. Nodes already
 * running that version keep their state and are not touched. Returns the nodes whose desired state changed.
 */
export async function startRolloutBatch(tx: TenantTx, rollout: { id: string; tenantId: string; modelId: string; version: string }, batch: number): Promise<string[]> {
  await tx.$executeRaw`
    UPDATE rollout_nodes rn SET
      started_at = now(), updated_at = now(),
      previous_version = (SELECT nm.desired_version FROM node_models nm
                          WHERE nm.tenant_id = rn.tenant_id AND nm.node_id = rn.node_id AND nm.model_id = ${rollout.modelId}::uuid AND nm.desired_version <> ${rollout.version}),
      baseline_requests = COALESCE((en.reported->'inference'->>'requests')::bigint, 0),
      baseline_errors = COALESCE((en.reported->'inference'->>'errors')::bigint, 0)
    FROM edge_nodes en
    WHERE en.tenant_id = rn.tenant_id AND en.id = rn.node_id AND rn.rollout_id = ${rollout.id}::uuid AND rn.batch = ${batch} AND rn.started_at IS NULL`;
  const changed = await tx.$queryRaw<{ node_id: string }[]>`
    INSERT INTO node_models (tenant_id, node_id, model_id, desired_version, rollout_id, state, updated_at)
    SELECT rn.tenant_id, rn.node_id, ${rollout.modelId}::uuid, ${rollout.version}, rn.rollout_id, 'pending', now()
    FROM rollout_nodes rn WHERE rn.rollout_id = ${rollout.id}::uuid AND rn.batch = ${batch}
    ON CONFLICT (tenant_id, node_id, model_id) DO UPDATE
      SET desired_version = EXCLUDED.desired_version, rollout_id = EXCLUDED.rollout_id, state = 'pending', detail = NULL, reported_at = NULL, updated_at = now()
      WHERE node_models.desired_version <> EXCLUDED.desired_version
    RETURNING node_id`;
  // Nodes that already had the version: their rollout state is what they last reported.
  await tx.$executeRaw`
    UPDATE rollout_nodes rn SET state = nm.state, updated_at = now()
    FROM node_models nm
    WHERE nm.tenant_id = rn.tenant_id AND nm.node_id = rn.node_id AND nm.model_id = ${rollout.modelId}::uuid
      AND rn.rollout_id = ${rollout.id}::uuid AND rn.batch = ${batch} AND nm.rollout_id IS DISTINCT FROM rn.rollout_id`;
  const nodeIds = changed.map((row) => String(row.node_id));
  await bumpRevisions(tx, nodeIds);
  return nodeIds;
}

/**
 * Sends the touched nodes of a rollout back to the version they ran before it (or removes the model
 * from nodes that had none). Nodes the rollout no longer controls (a later change) are left alone.
 * Nodes without a previous version are rolled back at once; the others when they report the
 * previous version active. Returns the nodes whose desired state changed.
 */
export async function rollBackRollout(tx: TenantTx, rollout: { id: string; modelId: string }): Promise<string[]> {
  const restored = await tx.$queryRaw<{ node_id: string }[]>`
    UPDATE node_models nm SET desired_version = rn.previous_version, state = 'pending', detail = NULL, reported_at = NULL, updated_at = now()
    FROM rollout_nodes rn
    WHERE rn.rollout_id = ${rollout.id}::uuid AND rn.started_at IS NOT NULL AND rn.previous_version IS NOT NULL
      AND nm.tenant_id = rn.tenant_id AND nm.node_id = rn.node_id AND nm.model_id = ${rollout.modelId}::uuid AND nm.rollout_id = rn.rollout_id
      AND nm.desired_version <> rn.previous_version
    RETURNING nm.node_id`;
  const removed = await tx.$queryRaw<{ node_id: string }[]>`
    DELETE FROM node_models nm USING rollout_nodes rn
    WHERE rn.rollout_id = ${rollout.id}::uuid AND rn.started_at IS NOT NULL AND rn.previous_version IS NULL
      AND nm.tenant_id = rn.tenant_id AND nm.node_id = rn.node_id AND nm.model_id = ${rollout.modelId}::uuid AND nm.rollout_id = rn.rollout_id
    RETURNING nm.node_id`;
  if (removed.length) {
    await tx.$executeRaw`
      UPDATE rollout_nodes SET state = 'rolled_back', detail = 'model removed (no previous version)', updated_at = now()
      WHERE rollout_id = ${rollout.id}::uuid AND node_id = ANY(${removed.map((r) => String(r.node_id))}::uuid[])`;
  }
  const nodeIds = [...restored, ...removed].map((row) => String(row.node_id));
  await bumpRevisions(tx, nodeIds);
  return nodeIds;
}

export interface BatchNodeRow {
  nodeId: string;
  state: string;
  updatedAt: Date;
  requests: number;
  errors: number;
  baselineRequests: number;
  baselineErrors: number;
}

/** A batch's nodes with their rollout state and the inference counters of their last heartbeat. Revoked nodes have left the fleet: they are not judged. */
export async function batchNodes(tx: TenantTx, rolloutId: string, batch: number): Promise<BatchNodeRow[]> {
  const rows = await tx.$queryRaw<{ nodeId: string; state: string; updatedAt: Date; requests: bigint | null; errors: bigint | null; baselineRequests: bigint; baselineErrors: bigint }[]>`
    SELECT rn.node_id AS "nodeId", rn.state::text AS state, rn.updated_at AS "updatedAt",
           (en.reported->'inference'->>'requests')::bigint AS requests, (en.reported->'inference'->>'errors')::bigint AS errors,
           rn.baseline_requests AS "baselineRequests", rn.baseline_errors AS "baselineErrors"
    FROM rollout_nodes rn JOIN edge_nodes en ON en.tenant_id = rn.tenant_id AND en.id = rn.node_id
    WHERE rn.rollout_id = ${rolloutId}::uuid AND rn.batch = ${batch} AND en.status <> 'revoked'`;
  return rows.map((row) => ({
    nodeId: String(row.nodeId),
    state: row.state,
    updatedAt: row.updatedAt,
    requests: Number(row.requests ?? 0),
    errors: Number(row.errors ?? 0),
    baselineRequests: Number(row.baselineRequests),
    baselineErrors: Number(row.baselineErrors),
  }));
}

/** Node counts per state of a rollout, with how many of them its batches have reached. */
export async function rolloutStateCounts(tx: TenantTx, rolloutId: string): Promise<{ counts: Record<string, number>; total: number; touched: number }> {
  const rows = await tx.$queryRaw<{ state: string; touched: boolean; nodes: bigint }[]>`
    SELECT state::text AS state, started_at IS NOT NULL AS touched, count(*) AS nodes FROM rollout_nodes WHERE rollout_id = ${rolloutId}::uuid GROUP BY 1, 2`;
  const counts: Record<string, number> = {};
  let total = 0;
  let touched = 0;
  for (const row of rows) {
    const n = Number(row.nodes);
    total += n;
    if (!row.touched) continue;
    touched += n;
    counts[row.state] = (counts[row.state] ?? 0) + n;
  }
  return { counts, total, touched };
}
