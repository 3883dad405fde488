import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChainRecord } from '@meridian/audit';
import { generateEd25519KeyPair, loadPrivateKey, sha256Hex } from '@meridian/crypto';
import { canonicalJson, EXAMPLE_BASE_POLICY, mergePolicies, signBundle, type BasePolicy, type BundlePayload } from '@meridian/governance';
import { spawnNode, type Spawned } from '../../control-plane/test/processes';
import { readJournal } from '../src/journal';
import { AgentServiceServer } from './agent-service-server';
import { publish, samples } from './model-fixtures';
import { waitFor } from './stack';

/**
 * The agent as a real process against a real gRPC AgentService on loopback (the control plane's
 * side of the model contract, see agent-service-server.ts): desired state → download → verify →
 * ONNX Runtime → governed /v1/infer, kill -9 in the middle of a download, restart offline, rollback.
 */
const tenantKey = generateEd25519KeyPair();
const signingKey = loadPrivateKey(tenantKey.privateKeyPem);
const TENANT = randomUUID();
const SITE = randomUUID();
const PUMP = randomUUID();
const INSPECTION = randomUUID();
const pump = (version: string) => publish({ tenantId: TENANT, modelId: PUMP, name: 'pump-anomaly', version, keyId: 'tsk_1', key: signingKey, rolloutId: randomUUID() });
const inspection = publish({ tenantId: TENANT, modelId: INSPECTION, name: 'inspection-classifier', version: '1.0.0', keyId: 'tsk_1', key: signingKey, rolloutId: '' });
const pumpSamples = samples('pump-anomaly');
const imageSamples = samples('inspection-classifier');

function policyBundle(version: number, base: BasePolicy = EXAMPLE_BASE_POLICY, consent: Record<string, boolean> = {}) {
  const payload: BundlePayload = {
    apiVersion: 'meridian.dev/bundle/v1',
    tenantId: TENANT,
    siteId: SITE,
    country: 'ID',
    version,
    issuedAt: new Date().toISOString(),
    sources: { baseVersion: version, overlayVersion: null },
    consent,
    policy: mergePolicies(base, undefined, 'ID').policy,
    signingKeys: [{ keyId: 'tsk_1', publicKey: tenantKey.publicKey.toString('base64') }],
  };
  const signed = signBundle(payload, 'tsk_1', signingKey);
  // as the wire carries it (Buffers, as the protocol decoder gives them)
  return { bundle: { ...signed, payload: Buffer.from(signed.payload), signature: Buffer.from(signed.signature) } };
}

async function journalEvents(dataDir: string): Promise<{ type: string; category?: string; decision?: string; data?: Record<string, any> }[]> {
  return (await readJournal(dataDir)).map((record: ChainRecord) => JSON.parse(record.body));
}

describe('model delivery and governed inference (agent process, real gRPC)', () => {
  let server: AgentServiceServer;
  let dataRoot: string;
  const agents: Spawned[] = [];

  const startAgent = async (dataDir: string, env: Record<string, string> = {}) => {
    const agent = spawnNode('apps/edge-agent/dist/main.js', {
      MERIDIAN_CONTROL_PLANE: `127.0.0.1:${server.port}`,
      MERIDIAN_DATA_DIR: dataDir,
      MERIDIAN_LOCAL_API_PORT: '0',
      MERIDIAN_BACKOFF_INITIAL_MS: '50',
      MERIDIAN_BACKOFF_MAX_MS: '300',
      LOG_LEVEL: 'info',
      ...env,
    });
    agents.push(agent);
    const port = (JSON.parse(await agent.waitFor(/local api listening/)) as { port: number }).port;
    await agent.waitFor(/agent started/);
    const local = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${port}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };
    return { agent, local };
  };
  const newNode = async () => {
    const dataDir = path.join(dataRoot, randomUUID());
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const identity = {
      nodeId: randomUUID(),
      tenantId: TENANT,
      siteId: SITE,
      siteCountry: 'ID',
      policySigningKeys: [{ keyId: 'tsk_1', publicKey: tenantKey.publicKey.toString('base64') }],
      heartbeatIntervalSeconds: 1,
      enrolledAt: new Date().toISOString(),
      controlPlane: `127.0.0.1:${server.port}`,
    };
    await fs.writeFile(path.join(dataDir, 'identity.json'), JSON.stringify(identity), { mode: 0o600 });
    return dataDir;
  };
  const activeVersion = async (local: Awaited<ReturnType<typeof startAgent>>['local'], name: string) =>
    ((await local('GET', '/v1/models')).body.models as { name: string; version: string }[]).find((m) => m.name === name)?.version;

  beforeAll(async () => {
    dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-models-e2e-'));
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop('SIGKILL');
    await server?.stop();
  });
  afterAll(async () => {
    await fs.rm(dataRoot, { recursive: true, force: true });
  });

  it('activates desired models and serves governed inference: policy check, redaction, provenance, journal, errors', async () => {
    server = new AgentServiceServer();
    await server.start();
    const v1 = pump('1.0.0');
    for (const v of [v1, inspection]) server.artifacts.set(`${v.desired.modelId}@${v.desired.version}`, v.artifact);
    server.setPolicy(policyBundle(1));
    server.setDesired([v1.desired, inspection.desired]);
    const dataDir = await newNode();
    const { local } = await startAgent(dataDir);
    await waitFor(async () => (await activeVersion(local, 'pump-anomaly')) === '1.0.0' && (await activeVersion(local, 'inspection-classifier')) === '1.0.0', 20_000);
    await waitFor(async () => server.reportsFor(PUMP).at(-1) === 'active', 10_000);
    expect(server.reportsFor(PUMP)).toEqual(['downloading', 'verifying', 'activating', 'active']);
    expect(server.reports.find((r) => r.modelId === PUMP)!.rolloutId).toBe(v1.desired.rolloutId);

    const anomalous = await local('POST', '/v1/infer', { model: 'pump-anomaly', input: pumpSamples.anomalous!.input, metadata: { line: 'A', pump: 'P-7' } });
    expect(anomalous.status).toBe(200);
    expect(anomalous.body).toMatchObject({ model: 'pump-anomaly', modelId: PUMP, version: '1.0.0', inputCategory: 'equipment_telemetry', decision: 'allow', ruleId: 'equipment_telemetry.infer', policyVersion: 1, provenance: 'metadata' });
    expect(anomalous.body.outputs.anomaly_score.dims).toEqual([1, 1]);
    expect(anomalous.body.outputs.anomaly_score.data[0]).toBeGreaterThan(0.9);
    expect(anomalous.body.outputHash).toBe(sha256Hex(canonicalJson(anomalous.body.outputs)));
    expect(anomalous.body.contentHash).toBeUndefined(); // telemetry asks for metadata provenance only
    const normal = await local('POST', '/v1/infer', { model: 'pump-anomaly', input: pumpSamples.normal!.input });
    expect(normal.body.outputs.anomaly_score.data[0]).toBeLessThan(0.2);

    const imageInput = imageSamples.defect!.input;
    const defect = await local('POST', '/v1/infer', { model: 'inspection-classifier', input: imageInput, metadata: { line: 'A', operator_badge: 'B-17' } });
    expect(defect.status).toBe(200);
    expect(defect.body.outputs.probabilities.data[1]).toBeGreaterThan(0.9);
    expect(defect.body).toMatchObject({ inputCategory: 'inspection_images', provenance: 'content_hash', contentHash: sha256Hex(canonicalJson(imageInput)) });

    expect(await local('POST', '/v1/infer', { model: 'no-such-model', input: {} })).toEqual({ status: 404, body: { error: expect.stringMatching(/no model named "no-such-model" is active/) } });
    const badShape = await local('POST', '/v1/infer', { model: 'pump-anomaly', input: { features: [[1, 2, 3]] } });
    expect(badShape).toEqual({ status: 400, body: { error: 'input.features: expected a float32 tensor of shape [-1,4] (-1 = any size), got shape [1,3]' } });
    expect((await local('POST', '/v1/infer', { model: 'pump-anomaly', input: { features: [[1, 2, 'x', 4]] } })).body.error).toBe('input.features: element 2 is not a finite number');
    expect((await local('POST', '/v1/infer', { model: 'pump-anomaly', input: { vibration: [[1]] } })).body.error).toMatch(/^input.vibration: the model has no input named vibration/);

    // The journal: one model.inference record per inference; redacted metadata; content hash only where the policy asks.
    await waitFor(async () => (await journalEvents(dataDir)).filter((e) => e.type === 'model.inference').length >= 3, 5_000);
    const events = await journalEvents(dataDir);
    const inferences = events.filter((e) => e.type === 'model.inference');
    expect(inferences).toHaveLength(3);
    expect(inferences[0]).toMatchObject({ category: 'equipment_telemetry', decision: 'allow', data: { model: 'pump-anomaly', version: '1.0.0', outputHash: anomalous.body.outputHash, metadata: { line: 'A', pump: 'P-7' } } });
    expect(inferences[0]!.data!.contentHash).toBeUndefined();
    expect(inferences[2]).toMatchObject({ category: 'inspection_images', data: { model: 'inspection-classifier', contentHash: defect.body.contentHash, metadata: { line: 'A' } } });
    expect(JSON.stringify(events)).not.toContain('B-17');
    expect(events.filter((e) => e.type === 'model.activated').map((e) => e.data!.name).sort()).toEqual(['inspection-classifier', 'pump-anomaly']);

    // A policy that gates inference on telemetry behind a consent flag the site has not given: refused, with the rule and layer.
    const gated: BasePolicy = { ...EXAMPLE_BASE_POLICY, categories: { ...EXAMPLE_BASE_POLICY.categories, equipment_telemetry: { ...EXAMPLE_BASE_POLICY.categories.equipment_telemetry, consent: { required: ['ai_processing'], appliesTo: ['infer'] } } } };
    server.setPolicy(policyBundle(2, gated, { ai_processing: false }));
    await waitFor(async () => (await local('GET', '/v1/status')).body.policyVersion === 2, 10_000);
    const denied = await local('POST', '/v1/infer', { model: 'pump-anomaly', input: pumpSamples.anomalous!.input });
    expect(denied).toMatchObject({ status: 403, body: { decision: 'deny', ruleId: 'equipment_telemetry.consent.ai_processing', layer: 'consent', version: '1.0.0' } });
    expect(denied.body.outputs).toBeUndefined();

    // Heartbeats carry what runs and the inference counters since start.
    await waitFor(async () => (server.heartbeats.at(-1)?.inference?.denied ?? 0) >= 1, 10_000);
    const beat = server.heartbeats.at(-1)!;
    expect(beat.models).toEqual(expect.arrayContaining([{ modelId: PUMP, version: '1.0.0', state: 'active' }, { modelId: INSPECTION, version: '1.0.0', state: 'active' }]));
    // Four inferences reached a model (three allowed, one denied); the 404 and 400s are the caller's errors.
    expect(beat.inference).toEqual({ requests: 4, errors: 0, denied: 1 });
  });

  it('resumes a download from its partial file after kill -9, survives a restart offline, rolls back from cache, deactivates', async () => {
    server = new AgentServiceServer();
    const port = await server.start();
    const v1 = pump('1.0.0');
    const v2 = pump('1.1.0');
    for (const v of [v1, v2]) server.artifacts.set(`${PUMP}@${v.desired.version}`, v.artifact);
    server.setPolicy(policyBundle(1));
    server.setDesired([v1.desired]);
    const dataDir = await newNode();
    const env = { MERIDIAN_MODEL_CHECKPOINT_BYTES: '64' };
    let { agent, local } = await startAgent(dataDir, env);
    await waitFor(async () => (await activeVersion(local, 'pump-anomaly')) === '1.0.0', 20_000);

    // 1.1.0 trickles in; the agent dies half-way.
    server.chunkSize = 64;
    server.chunkDelayMs = 150;
    server.setDesired([v2.desired]);
    const partial = path.join(dataDir, 'models', 'downloads', `${PUMP}@1.1.0.partial`);
    await waitFor(async () => (await fs.stat(partial).catch(() => undefined))?.size! >= 256, 20_000);
    await agent.stop('SIGKILL');
    const progress = JSON.parse(await fs.readFile(`${partial.replace(/\.partial$/, '')}.progress`, 'utf8')) as { durableBytes: number };
    expect(progress.durableBytes).toBeGreaterThanOrEqual(192);
    expect(progress.durableBytes).toBeLessThan(v2.artifact.length);
    const fetchesBefore = server.fetches.length;

    server.chunkDelayMs = 0;
    ({ agent, local } = await startAgent(dataDir, env));
    // Still serving 1.0.0 from disk while 1.1.0 completes.
    await waitFor(async () => (await activeVersion(local, 'pump-anomaly')) === '1.1.0', 20_000);
    const resumed = server.fetches.slice(fetchesBefore).filter((f) => f.version === '1.1.0');
    expect(resumed[0]!.offset).toBeGreaterThanOrEqual(progress.durableBytes);
    expect(resumed[0]!.offset % 64).toBe(0);
    const after = await local('POST', '/v1/infer', { model: 'pump-anomaly', input: pumpSamples.normal!.input });
    expect(after.body).toMatchObject({ version: '1.1.0' });
    expect(after.body.outputs.anomaly_score.data[0]).toBeCloseTo(0.0293, 3);

    // The control plane goes away; a restarted agent serves its active version from disk.
    await server.stop();
    await agent.stop('SIGTERM');
    ({ agent, local } = await startAgent(dataDir, env));
    expect(await activeVersion(local, 'pump-anomaly')).toBe('1.1.0');
    expect((await local('POST', '/v1/infer', { model: 'pump-anomaly', input: pumpSamples.anomalous!.input })).status).toBe(200);

    // It comes back with the rollout rolled back: 1.0.0 again, from the local cache.
    server = new AgentServiceServer();
    server.setPolicy(policyBundle(1));
    server.setDesired([{ ...v1.desired, rolloutId: v2.desired.rolloutId }]);
    await server.start(port);
    await waitFor(async () => (await activeVersion(local, 'pump-anomaly')) === '1.0.0', 20_000);
    await waitFor(async () => server.reportsFor(PUMP, '1.0.0').at(-1) === 'active', 10_000);
    expect(server.fetches).toEqual([]);
    expect(server.reportsFor(PUMP, '1.0.0')).toEqual(['verifying', 'activating', 'active']);
    const journal = await journalEvents(dataDir);
    expect(journal.find((e) => e.type === 'model.rolled_back')?.data).toMatchObject({ from: '1.1.0', to: '1.0.0', rolloutId: v2.desired.rolloutId });

    // Absent from the desired state: deactivated, and inference on it is a 404.
    server.setDesired([]);
    await waitFor(async () => (await activeVersion(local, 'pump-anomaly')) === undefined, 10_000);
    expect((await local('POST', '/v1/infer', { model: 'pump-anomaly', input: pumpSamples.normal!.input })).status).toBe(404);
  });
});
