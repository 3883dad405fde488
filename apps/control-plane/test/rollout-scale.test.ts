import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, desiredStateFor, Role, withTenant, type PrismaClient } from '@meridian/db';
import { advanceRollout } from '../../worker/src/rollout-runner';
import { call, startHarness, type Harness } from './harness';
import { publishVersion } from './registry';

const NODES = 10_000;

describe('rollout fan-out to 10,000 nodes', () => {
  let h: Harness;
  let app: PrismaClient;
  let artifactDir: string;

  beforeAll(async () => {
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-artifacts-'));
    h = await startHarness('rollout-scale', { ARTIFACT_DIR: artifactDir });
    app = createPrismaClient({ url: h.db.appUrl, poolSize: 2 });
    const a = h.tenants.a;
    const rows = Array.from({ length: NODES }, (_, i) => ({
      tenantId: a.id,
      siteId: i % 2 ? a.siteIds.ID! : a.siteIds.CL!,
      name: `gw-${String(i).padStart(5, '0')}`,
      labels: { line: i % 3 ? 'a' : 'b' },
      status: 'online' as const,
      publicKey: randomBytes(32).toString('base64'),
      reported: { inference: { requests: i, errors: 0, denied: 0 } },
    }));
    await h.owner.edgeNode.createMany({ data: rows });
  }, 120_000);
  afterAll(async () => {
    await app?.$disconnect();
    await h?.close();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  it('plans, starts and rolls back batches with set-based statements, not a round trip per node', async () => {
    const modelId = await publishVersion(h, 'fleet-model', '1.0.0', randomBytes(1024));
    const tenantId = h.tenants.a.id;
    let started = performance.now();
    const created = await call(h, 'POST', '/v1/rollouts', {
      token: await h.token('a', Role.vendor_engineer),
      body: { modelId, version: '1.0.0', selector: { countries: ['ID', 'CL'] }, strategy: { canary: { percent: 10 }, batchSize: 4_500, pauseSeconds: 0, gate: { observeSeconds: 0, minActivationRatio: 1 } } },
    });
    const planMs = performance.now() - started;
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ totalNodes: NODES, totalBatches: 3 });
    expect(created.body.batches.map((b: { nodes: number }) => b.nodes)).toEqual([1_000, 4_500, 4_500]);
    expect(planMs).toBeLessThan(20_000); // ~5 s here: two bulk inserts of 5,000 rows

    // The worker's steps, in-process (no worker runs here): canary, then the first big batch.
    const step = () => withTenant(app, { tenantId }, (tx) => advanceRollout(tx, created.body.id, new Date()), { timeoutMs: 60_000 });
    started = performance.now();
    const canary = await step();
    expect(canary.step).toBe('started-batch-1');
    expect(canary.changed).toHaveLength(1_000);
    await h.owner.rolloutNode.updateMany({ where: { rolloutId: created.body.id, batch: 1 }, data: { state: 'active' } });
    const passed = await step();
    expect(passed.step).toBe('started-batch-2');
    expect(passed.changed).toHaveLength(4_500);
    const stepMs = performance.now() - started;
    expect(stepMs).toBeLessThan(10_000); // ~1 s here for 5,500 nodes
    expect(await h.owner.nodeModel.count({ where: { modelId, desiredVersion: '1.0.0' } })).toBe(5_500);
    // Nodes that stay silent are named for another announcement (their push may have been lost).
    const later = await withTenant(app, { tenantId }, (tx) => advanceRollout(tx, created.body.id, new Date(Date.now() + 11_000)), { timeoutMs: 60_000 });
    expect(later).toMatchObject({ step: 'waiting', changed: [] });
    expect(later.silent).toHaveLength(4_500);
    expect((await withTenant(app, { tenantId }, (tx) => advanceRollout(tx, created.body.id, new Date()))).silent).toEqual([]);
    const baseline = await h.owner.rolloutNode.findFirstOrThrow({ where: { rolloutId: created.body.id, batch: 2 }, include: { node: true } });
    expect(Number(baseline.baselineRequests)).toBe((baseline.node.reported as { inference: { requests: number } }).inference.requests);

    // The desired state of a thousand nodes is read in two queries.
    const sample = (await h.owner.rolloutNode.findMany({ where: { rolloutId: created.body.id, batch: 2 }, take: 1_000, select: { nodeId: true } })).map((n) => n.nodeId);
    started = performance.now();
    const states = await withTenant(app, { tenantId }, (tx) => desiredStateFor(tx, sample));
    expect(performance.now() - started).toBeLessThan(2_000); // ~0.1 s here
    expect([...states.values()].every((s) => s.revision === 1 && s.models[0]?.version === '1.0.0')).toBe(true);

    started = performance.now();
    const rolledBack = await call(h, 'POST', `/v1/rollouts/${created.body.id}/rollback`, { token: await h.token('a', Role.vendor_admin) });
    expect(rolledBack.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(15_000);
    // no previous version anywhere: the model leaves all 5,500 nodes at once
    expect(await h.owner.nodeModel.count({ where: { modelId } })).toBe(0);
    expect(rolledBack.body.counts.rolled_back).toBe(5_500);
  }, 180_000);
});
