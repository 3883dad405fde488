import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, startWorker, type Harness } from './harness';
import type { Spawned } from './processes';
import { publishVersion } from './registry';
import { SimAgent } from './sim-agent';
import { until } from './until';

const FAST_GATE = { minActivationRatio: 1, maxErrorRate: 0.2, minRequests: 1, observeSeconds: 0 };

describe('staged rollouts run by a real worker process', () => {
  let h: Harness;
  let artifactDir: string;
  let worker: Spawned;
  let engineer: string;
  const agents: SimAgent[] = [];

  const startRolloutWorker = () => startWorker(h, { ROLLOUT_TICK_MS: '200' });
  const rollout = async (id: string) => (await call(h, 'GET', `/v1/rollouts/${id}`, { token: engineer })).body;
  const startRollout = async (body: Record<string, unknown>) => {
    const response = await call(h, 'POST', '/v1/rollouts', { token: engineer, body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };

  beforeAll(async () => {
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-artifacts-'));
    h = await startHarness('rollouts', { ARTIFACT_DIR: artifactDir });
    engineer = await h.token('a', Role.vendor_engineer);
    const admin = await h.token('a', Role.vendor_admin);
    // 3 nodes in Indonesia, 2 in Chile
    for (const [country, index] of [['ID', 1], ['ID', 2], ['ID', 3], ['CL', 1], ['CL', 2]] as const) {
      const token = await call(h, 'POST', '/v1/enrollment-tokens', { token: admin, body: { siteId: h.tenants.a.siteIds[country] } });
      const agent = new SimAgent(h.grpcTarget);
      await agent.agent.enroll(token.body.token, `gw-${country.toLowerCase()}-${index}`, { labels: { line: index === 3 ? 'b' : 'a' } });
      agent.start();
      agents.push(agent);
    }
    worker = await startRolloutWorker();
  }, 120_000);
  afterAll(async () => {
    for (const agent of agents) agent.stop();
    await worker?.stop('SIGKILL');
    await h?.close();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  it('refuses bad rollouts with the path of the problem', async () => {
    const modelId = await publishVersion(h, 'checks', '1.0.0', randomBytes(1024));
    const bad = await call(h, 'POST', '/v1/rollouts', { token: engineer, body: { modelId, version: '1.0.0', selector: { countries: ['id'] }, strategy: { canary: { count: 1, percent: 5 }, batchSize: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['selector.countries.0', 'strategy.batchSize', 'strategy.canary']);
    expect((await call(h, 'POST', '/v1/rollouts', { token: engineer, body: { modelId, version: '3.0.0' } })).status).toBe(404);
    await call(h, 'PUT', `/v1/models/${modelId}/versions/1.1.0`, { token: engineer, body: { card: (await call(h, 'GET', `/v1/models/${modelId}/versions/1.0.0`, { token: engineer })).body.card } });
    const draft = await call(h, 'POST', '/v1/rollouts', { token: engineer, body: { modelId, version: '1.1.0' } });
    expect(draft.status).toBe(409);
    expect(draft.body.code).toBe('version-not-published');
    const nobody = await call(h, 'POST', '/v1/rollouts', { token: engineer, body: { modelId, version: '1.0.0', selector: { labels: { line: 'z' } } } });
    expect(nobody.status).toBe(400);
    expect(nobody.body.code).toBe('no-targets');
    expect((await call(h, 'POST', '/v1/rollouts', { token: await h.token('a', Role.integrator_admin), body: { modelId, version: '1.0.0' } })).status).toBe(403);
    expect(await h.owner.rollout.count()).toBe(0);
  });

  it('rolls out to two countries: the canary first, then batches behind a passing gate', async () => {
    const modelId = await publishVersion(h, 'pump-anomaly', '1.0.0', randomBytes(200 * 1024));
    const created = await startRollout({
      modelId,
      version: '1.0.0',
      selector: { countries: ['ID', 'CL'] },
      strategy: { canary: { count: 1 }, batchSize: 2, pauseSeconds: 1, batchTimeoutSeconds: 60, gate: FAST_GATE },
    });
    expect(created).toMatchObject({ status: 'running', totalBatches: 3, totalNodes: 5 });
    expect(created.batches.map((b: { nodes: number }) => b.nodes)).toEqual([1, 2, 2]);
    const done = await until('rollout completed', async () => ((await rollout(created.id)).status === 'completed' ? rollout(created.id) : undefined));
    expect(done).toMatchObject({ currentBatch: 3, touchedNodes: 5, percentActive: 100, counts: { active: 5, failed: 0 } });
    expect(done.gateResults.map((g: { batch: number; passed: boolean }) => [g.batch, g.passed])).toEqual([[1, true], [2, true], [3, true]]);

    // Each batch reached its nodes only after the previous one passed: canary < batch 2 < batch 3.
    const batchOf = new Map((await h.owner.rolloutNode.findMany({ where: { rolloutId: created.id } })).map((n) => [n.nodeId, n.batch]));
    const seen = agents.map((a) => ({ batch: batchOf.get(a.nodeId)!, at: a.firstSeen(modelId, '1.0.0')! }));
    for (const entry of seen) expect(entry.at).toBeDefined();
    const latest = (batch: number) => Math.max(...seen.filter((s) => s.batch === batch).map((s) => s.at));
    const earliest = (batch: number) => Math.min(...seen.filter((s) => s.batch === batch).map((s) => s.at));
    expect(earliest(2)).toBeGreaterThan(latest(1) + 900);
    expect(earliest(3)).toBeGreaterThan(latest(2) + 900);
    // the canary is spread: batch 1 and 2 together cover both countries
    for (const agent of agents) expect(agent.running.get(modelId)).toBe('1.0.0');

    // per-node view: filters, pages, and integrators see their organisation's sites only
    const all = await call(h, 'GET', `/v1/rollouts/${created.id}/nodes`, { token: engineer });
    expect(all.body.items).toHaveLength(5);
    expect(all.body.items.every((n: { state: string; started: boolean }) => n.state === 'active' && n.started)).toBe(true);
    expect((await call(h, 'GET', `/v1/rollouts/${created.id}/nodes?batch=1`, { token: engineer })).body.items).toHaveLength(1);
    const first = await call(h, 'GET', `/v1/rollouts/${created.id}/nodes?limit=2`, { token: engineer });
    const second = await call(h, 'GET', `/v1/rollouts/${created.id}/nodes?limit=2&after=${first.body.nextAfter}`, { token: engineer });
    expect([...first.body.items, ...second.body.items].map((n: { nodeId: string }) => n.nodeId)).toEqual(all.body.items.slice(0, 4).map((n: { nodeId: string }) => n.nodeId));
    const integrator = await call(h, 'GET', `/v1/rollouts/${created.id}/nodes`, { token: await h.token('a', Role.integrator_admin) });
    expect(integrator.body.items.map((n: { country: string }) => n.country)).toEqual(['ID', 'ID', 'ID']);
    expect((await call(h, 'GET', `/v1/rollouts/${created.id}/nodes?state=exploded`, { token: engineer })).status).toBe(400);

    const metrics = await call(h, 'GET', '/metrics');
    expect(metrics.body).toMatch(/meridian_rollouts\{status="completed"\} 1/);
    const audit = await h.owner.auditEvent.findMany({ where: { tenantId: h.tenants.a.id, type: { in: ['admin.rollout.started', 'rollout.batch_started', 'rollout.completed'] } } });
    expect(audit.filter((e) => e.type === 'rollout.batch_started')).toHaveLength(3);
    expect(audit.filter((e) => e.type === 'admin.rollout.started')).toHaveLength(1);
    expect(audit.filter((e) => e.type === 'rollout.completed')).toHaveLength(1);
  }, 90_000);

  it('rolls the touched nodes back to the previous version when a batch fails its gate; untouched nodes never get the version', async () => {
    const modelId = (await h.owner.model.findFirstOrThrow({ where: { name: 'pump-anomaly' } })).id;
    await publishVersion(h, 'pump-anomaly', '1.1.0', randomBytes(150 * 1024));
    let badFromBatch2 = false;
    for (const agent of agents) {
      // 1.1.0 is bad once batch 2 runs: half of its inference calls fail.
      agent.traffic = (running) => ({ requests: 10, errors: badFromBatch2 && running.get(modelId) === '1.1.0' ? 5 : 0 });
    }
    const created = await startRollout({
      modelId,
      version: '1.1.0',
      strategy: { canary: { count: 1 }, batchSize: 2, pauseSeconds: 0, batchTimeoutSeconds: 60, gate: { ...FAST_GATE, maxErrorRate: 0.1, observeSeconds: 2 } },
    });
    await until('batch 2 started', async () => (await rollout(created.id)).currentBatch >= 2);
    badFromBatch2 = true;
    const failed = await until('rolled back', async () => ((await rollout(created.id)).status === 'rolled_back' ? rollout(created.id) : undefined));
    expect(failed.reason).toMatch(/^batch 2 failed its health gate: inference error rate/);
    expect(failed.gateResults.map((g: { passed: boolean }) => g.passed)).toEqual([true, false]);

    const nodes = await h.owner.rolloutNode.findMany({ where: { rolloutId: created.id } });
    const touched = nodes.filter((n) => n.batch <= 2);
    const untouched = nodes.filter((n) => n.batch === 3);
    expect(touched).toHaveLength(3);
    expect(untouched).toHaveLength(2);
    for (const node of touched) expect(node.previousVersion).toBe('1.0.0');
    // every touched node reports 1.0.0 active again (from its cache) and is recorded as rolled back
    await until('touched nodes rolled back', async () => (await h.owner.rolloutNode.count({ where: { rolloutId: created.id, state: 'rolled_back' } })) === 3);
    for (const node of untouched) expect(node).toMatchObject({ startedAt: null, state: 'pending' });
    for (const agent of agents) {
      const batch = nodes.find((n) => n.nodeId === agent.nodeId)!.batch;
      await until(`${agent.nodeId} back on 1.0.0`, async () => agent.running.get(modelId) === '1.0.0');
      expect(agent.firstSeen(modelId, '1.1.0') !== undefined).toBe(batch <= 2);
    }
    const desired = await h.owner.nodeModel.findMany({ where: { modelId } });
    expect(desired.map((d) => d.desiredVersion)).toEqual(Array(5).fill('1.0.0'));
    const audit = await h.owner.auditEvent.findFirst({ where: { tenantId: h.tenants.a.id, type: 'rollout.gate_failed' } });
    expect(audit?.actor).toBe('system:rollout-worker');
    for (const agent of agents) agent.traffic = () => ({ requests: 10, errors: 0 });
  }, 90_000);

  it('pauses, resumes and aborts with rollback on request', async () => {
    const modelId = await publishVersion(h, 'inspection', '1.0.0', randomBytes(64 * 1024));
    const created = await startRollout({ modelId, version: '1.0.0', strategy: { canary: { count: 1 }, batchSize: 2, pauseSeconds: 0, gate: FAST_GATE } });
    const paused = await call(h, 'POST', `/v1/rollouts/${created.id}/pause`, { token: engineer });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await call(h, 'POST', `/v1/rollouts/${created.id}/pause`, { token: engineer })).status).toBe(409);
    const batchWhenPaused = paused.body.currentBatch as number;
    expect(batchWhenPaused).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // ten sweeps
    expect((await rollout(created.id)).currentBatch).toBe(batchWhenPaused);
    // a paused rollout is in progress: its nodes show on /metrics
    const metrics = (await call(h, 'GET', '/metrics')).body as string;
    const inProgress = [...metrics.matchAll(/^meridian_rollout_nodes\{state="(\w+)"\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[2]), 0);
    expect(inProgress).toBe(5);
    expect(metrics).toMatch(/meridian_rollouts\{status="paused"\} 1/);
    expect(agents.filter((a) => a.firstSeen(modelId, '1.0.0') !== undefined).length).toBeLessThanOrEqual(1);

    expect((await call(h, 'POST', `/v1/rollouts/${created.id}/resume`, { token: engineer })).body.status).toBe('running');
    await until('batch 2 started', async () => (await rollout(created.id)).currentBatch >= 2);
    const aborted = await call(h, 'POST', `/v1/rollouts/${created.id}/abort`, { token: engineer, body: { rollback: true, reason: 'wrong camera profile' } });
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({ status: 'aborted', reason: 'wrong camera profile' });
    expect((await call(h, 'POST', `/v1/rollouts/${created.id}/resume`, { token: engineer })).status).toBe(409);
    // Nodes it reached had no previous version: the model is removed from their desired state.
    await until('model gone from every agent', async () => agents.every((a) => !a.running.has(modelId)));
    expect(await h.owner.nodeModel.count({ where: { modelId } })).toBe(0);
    const nodes = await h.owner.rolloutNode.findMany({ where: { rolloutId: created.id } });
    expect(nodes.filter((n) => n.startedAt !== null).every((n) => n.state === 'rolled_back')).toBe(true);
    const finalBatch = (await rollout(created.id)).currentBatch;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await rollout(created.id)).currentBatch).toBe(finalBatch);
    const types = (await h.owner.auditEvent.findMany({ where: { tenantId: h.tenants.a.id, type: { startsWith: 'admin.rollout.' } } })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['admin.rollout.paused', 'admin.rollout.resumed', 'admin.rollout.aborted']));
  }, 90_000);

  it('announces the desired state again to a node that stays silent; streams that had it get no duplicate', async () => {
    const modelId = await publishVersion(h, 'silent-test', '1.0.0', randomBytes(1024));
    const quiet = agents[2]!; // gw-id-3, the only node on line b
    quiet.ignore = (model) => model.modelId === modelId;
    const created = await startRollout({ modelId, version: '1.0.0', selector: { labels: { line: 'b' } }, strategy: { canary: { count: 1 }, batchTimeoutSeconds: 60, gate: FAST_GATE } });
    expect(created.totalNodes).toBe(1);
    await worker.waitFor(/desired state announced again to silent nodes/, 30_000);
    expect(quiet.received.filter((r) => r.state.models.some((m) => m.modelId === modelId))).toHaveLength(1);
    expect((await call(h, 'POST', `/v1/rollouts/${created.id}/abort`, { token: engineer, body: { rollback: true } })).status).toBe(200);
    await until('model removed again', async () => quiet.received.at(-1)!.state.models.every((m) => m.modelId !== modelId));
    quiet.ignore = () => false;
  }, 60_000);

  it('resumes where it was after the worker is killed with SIGKILL mid-rollout', async () => {
    const modelId = await publishVersion(h, 'kill-test', '1.0.0', randomBytes(32 * 1024));
    const revisionsBefore = new Map((await h.owner.edgeNode.findMany({ where: { id: { in: agents.map((a) => a.nodeId) } } })).map((n) => [n.id, n.desiredRevision]));
    const created = await startRollout({ modelId, version: '1.0.0', strategy: { canary: { count: 1 }, batchSize: 1, pauseSeconds: 1, gate: FAST_GATE } });
    expect(created.totalBatches).toBe(5);
    await until('batch 2 started', async () => (await rollout(created.id)).currentBatch >= 2);
    await worker.stop('SIGKILL');
    const frozen = (await rollout(created.id)).currentBatch;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await rollout(created.id)).currentBatch).toBe(frozen);
    expect((await rollout(created.id)).status).toBe('running');

    worker = await startRolloutWorker();
    const done = await until('completed after restart', async () => ((await rollout(created.id)).status === 'completed' ? rollout(created.id) : undefined), 60_000);
    expect(done.gateResults.map((g: { batch: number }) => g.batch)).toEqual([1, 2, 3, 4, 5]);
    expect(done.counts.active).toBe(5);
    // Every node was moved exactly once: one revision each, one push with the version.
    const revisionsAfter = await h.owner.edgeNode.findMany({ where: { id: { in: agents.map((a) => a.nodeId) } } });
    for (const node of revisionsAfter) expect(node.desiredRevision - revisionsBefore.get(node.id)!).toBe(1);
    for (const agent of agents) {
      expect(agent.running.get(modelId)).toBe('1.0.0');
      const pushes = agent.received.filter((r) => r.state.models.some((m) => m.modelId === modelId));
      expect(pushes).toHaveLength(1);
    }
  }, 120_000);
});
