import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@meridian/audit';
import { publishGeneratedVersion, samples } from '../model-fixtures';
import { enrollAgent, startStack, storedChain, waitFor, waitForAuditUploaded, type TestAgentProcess, type TestStack } from '../stack';
import { PrivateRedis } from './private-redis';

/**
 * Crashes during a rollout, with real processes on loopback: kill -9 of the control plane, of the
 * worker and of an agent, and a restart of Redis that comes back empty (a private redis-server).
 * Each fault hits a two-batch rollout of a new model version to two real agents (Indonesia, Chile)
 * while it is under way. Afterwards the rollout has completed through both gates on its own, both
 * agents serve the new version through governance, and each agent's audit trail holds its
 * activation exactly once in a chain that verifies.
 */
describe('faults: crashes during a rollout', () => {
  let redis: PrivateRedis | undefined;
  let stack: TestStack;
  let artifactDir = '';
  let modelId = '';
  let release = 0;
  const STRATEGY = { canary: { count: 1 }, batchSize: 5, pauseSeconds: 2, batchTimeoutSeconds: 90, gate: { minActivationRatio: 1, observeSeconds: 0 } };

  /** Publishes the next version, its artifact alternating between the two generated builds so every rollout moves real bytes. */
  const publishNext = async () => {
    release += 1;
    const version = `${release}.0.0`;
    const files = release % 2 === 1 ? '1.0.0' : '1.1.0';
    await publishGeneratedVersion(stack, modelId, 'pump-anomaly', version, files);
    return version;
  };

  const rollout = async (id: string) => (await stack.api('GET', `/v1/rollouts/${id}`)).body;
  const rolloutNode = (rolloutId: string, batch: number) => stack.owner.rolloutNode.findFirstOrThrow({ where: { rolloutId, batch } });
  const agentOf = (nodeId: string): { country: string; agent: TestAgentProcess } => {
    const [country, agent] = Object.entries(stack.agents).find(([, a]) => a?.nodeId === nodeId)!;
    return { country, agent: agent! };
  };

  /**
   * Rolls the next version out and applies `fault` once `ready` holds, then checks that the rollout
   * finished by itself and that the agents serve, and have journaled, the version exactly once.
   */
  const rolloutThrough = async (ready: (rolloutId: string) => Promise<boolean>, fault: (rolloutId: string) => Promise<void>) => {
    const version = await publishNext();
    const started = await stack.api('POST', '/v1/rollouts', { modelId, version, selector: { countries: ['ID', 'CL'] }, strategy: STRATEGY });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const rolloutId = started.body.id as string;
    expect(started.body.batches.map((b: { nodes: number }) => b.nodes)).toEqual([1, 1]);

    await waitFor(() => ready(rolloutId), 60_000, 50);
    expect((await rollout(rolloutId)).status).toBe('running'); // the fault lands mid-rollout, not after it
    await fault(rolloutId);

    await waitFor(async () => ['completed', 'rolled_back', 'aborted'].includes((await rollout(rolloutId)).status), 120_000, 250);
    const done = await rollout(rolloutId);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', percentActive: 100, counts: { active: 2 } });
    expect(done.gateResults.map((g: { batch: number; passed: boolean }) => [g.batch, g.passed])).toEqual([
      [1, true],
      [2, true],
    ]);

    for (const country of ['ID', 'CL']) {
      const agent = stack.agents[country]!;
      const answer = await agent.local('POST', '/v1/infer', { model: 'pump-anomaly', input: samples('pump-anomaly').anomalous!.input });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ version, decision: 'allow' });
      await expectActivationJournaledOnce(agent, version, rolloutId);
    }
  };

  /**
   * Once the agent has nothing left to upload, its activation of `version` is in the audit store
   * exactly once, in a chain with no gap, fork or duplicate.
   */
  const expectActivationJournaledOnce = async (agent: TestAgentProcess, version: string, rolloutId: string) => {
    const nodeId = agent.nodeId;
    await waitForAuditUploaded(agent, 30_000);
    const activations = (await stack.owner.auditEvent.findMany({ where: { sourceId: nodeId, type: 'model.activated' }, select: { body: true } }))
      .map((row) => (JSON.parse(row.body) as { data: { version: string; rolloutId?: string } }).data)
      .filter((data) => data.version === version);
    expect(activations).toEqual([expect.objectContaining({ version, rolloutId })]);
    const chain = await storedChain(stack, nodeId);
    expect(chain.map((row) => row.seq)).toEqual(chain.map((_, i) => i + 1));
    expect(verifyChain(chain)).toEqual({ ok: true });
  };

  const batchStarted = (batch: number) => async (rolloutId: string) => (await rolloutNode(rolloutId, batch)).startedAt !== null;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    process.env.REDIS_URL = redis.url;
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-fault-artifacts-'));
    stack = await startStack('faults_rollout', { worker: true, env: { ARTIFACT_DIR: artifactDir, ROLLOUT_TICK_MS: '250' } });
    await enrollAgent(stack, 'ID');
    await enrollAgent(stack, 'CL');
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202);
    for (const country of ['ID', 'CL']) await waitFor(async () => (await stack.agents[country]!.local('GET', '/v1/status')).body.policyVersion > 0, 30_000);
    const created = await stack.api('POST', '/v1/models', { name: 'pump-anomaly', description: 'generated by tools/onnx-models' });
    expect(created.status).toBe(201);
    modelId = created.body.id;
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
    await redis?.kill();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  it('kill -9 of the control plane while the canary takes the version: the rollout resumes and completes', async () => {
    await rolloutThrough(batchStarted(1), async () => {
      await stack.controlPlane.stop('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stack.startControlPlane();
    });
  }, 180_000);

  it('kill -9 of the worker between the batches: another worker carries the rollout on', async () => {
    await rolloutThrough(
      async (rolloutId) => (await rolloutNode(rolloutId, 1)).state === 'active',
      async () => {
        await stack.worker!.stop('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 500));
        stack.worker = await stack.startWorker();
      },
    );
  }, 180_000);

  it('kill -9 of the agent its batch has just reached: restarted, it takes the version and the rollout completes', async () => {
    await rolloutThrough(batchStarted(2), async (rolloutId) => {
      const { country, agent } = agentOf((await rolloutNode(rolloutId, 2)).nodeId);
      await agent.process.stop('SIGKILL');
      const back = await stack.startAgent(country);
      expect(back.nodeId).toBe(agent.nodeId);
    });
  }, 180_000);

  it('Redis restarted empty during the rollout: its schedules come back and the rollout completes', async () => {
    await rolloutThrough(batchStarted(1), async (rolloutId) => {
      await redis!.kill();
      // While it is down, the API says so: the session check fails closed with a 503 to retry, not a 500.
      await waitFor(async () => (await stack.api('GET', `/v1/rollouts/${rolloutId}`)).status === 503, 10_000);
      const down = await fetch(`http://127.0.0.1:${stack.httpPort}/v1/rollouts/${rolloutId}`, { headers: { authorization: `Bearer ${await stack.login()}` } });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
      expect(await down.json()).toMatchObject({ code: 'unavailable', detail: 'the session could not be checked: the session store (Redis) is unavailable; retry in a few seconds' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await redis!.start();
    });
    // The agents are connected again through the new Redis.
    for (const country of ['ID', 'CL']) await waitFor(async () => (await stack.agents[country]!.local('GET', '/v1/status')).body.connected === true, 20_000);
  }, 180_000);
});
