import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { EXAMPLE_BASE_POLICY, mergePolicies, signBundle } from '@meridian/governance';
import type { ModelCard } from '@meridian/models';
import { encodeModel } from '../../../../tools/onnx-models/src/onnx';
import type { NodeIdentityFile } from '../identity';
import { Journal } from '../journal';
import { LocalApi } from '../local-api';
import { PolicyEngine, type AuditRecorder } from '../policy-engine';
import { createAgentState, type AgentState } from '../state';
import { registerModelRoutes } from './inference-api';
import type { ModelManager, ServingModel } from './model-manager';
import { LoadedModel } from './runtime';

const logger = pino({ level: 'silent' });
const key = generateEd25519KeyPair();
const identity: NodeIdentityFile = {
  nodeId: 'n1',
  tenantId: 't1',
  siteId: 's1',
  siteCountry: 'ID',
  policySigningKeys: [{ keyId: 'tsk_1', publicKey: key.publicKey.toString('base64') }],
  heartbeatIntervalSeconds: 10,
  enrolledAt: '2026-11-25T00:00:00Z',
  controlPlane: '127.0.0.1:50051',
};

// A graph whose batch is fixed at 1 while its card promises any batch size: it loads and warms up,
// and fails inside ONNX Runtime when a request sends two rows — a genuine runtime failure.
const card: ModelCard = {
  task: 'other',
  intendedUse: 'test',
  inputCategories: ['equipment_telemetry'],
  outputCategory: 'model_outputs',
  inputs: [{ name: 'x', type: 'float32', shape: [-1, 2] }],
  outputs: [{ name: 'y', type: 'float32', shape: [-1, 2] }],
  trainingData: { summary: 'none' },
  evaluation: {},
  exportClassification: 'EAR99',
};
const fixedBatch = encodeModel(
  {
    name: 'fixed_batch',
    doc: 'y = x + 1, batch fixed at 1',
    inputs: [{ name: 'x', type: 'float32', shape: [1, 2] }],
    outputs: [{ name: 'y', type: 'float32', shape: [1, 2] }],
    initializers: [{ name: 'one', dims: [1], values: [1] }],
    nodes: [{ op: 'Add', inputs: ['x', 'one'], outputs: ['y'] }],
  },
  'test',
);

describe('POST /v1/infer failures', () => {
  let dir: string;
  let journal: Journal;
  let api: LocalApi;
  let base: string;
  let state: AgentState;
  let model: LoadedModel;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-infer-'));
    journal = await Journal.open(dir, { maxBytes: 1_000_000, flushIntervalMs: 1, retentionMs: 86_400_000 }, logger);
    const recorder: AuditRecorder = { get full() { return journal.full; }, record: (event) => journal.append({ at: new Date().toISOString(), actor: 'node:n1', ...event }).then(() => undefined) };
    const engine = new PolicyEngine(dir, identity, logger, recorder);
    const applied = await engine.apply(
      signBundle(
        { apiVersion: 'meridian.dev/bundle/v1', tenantId: 't1', siteId: 's1', country: 'ID', version: 1, issuedAt: new Date().toISOString(), sources: { baseVersion: 1, overlayVersion: null }, consent: {}, policy: mergePolicies(EXAMPLE_BASE_POLICY, undefined, 'ID').policy, signingKeys: identity.policySigningKeys },
        'tsk_1',
        loadPrivateKey(key.privateKeyPem),
      ),
    );
    expect(applied.applied).toBe(true);
    model = await LoadedModel.load(fixedBatch, card);
    const serving: ServingModel = { modelId: 'm1', name: 'fixed', version: '1.0.0', card, artifactSha256: 'x', model };
    const manager = { find: (name: string) => (name === 'fixed' ? serving : undefined), list: () => [], stateRecords: () => ({}) } as unknown as ModelManager;
    state = createAgentState('test');
    api = new LocalApi();
    registerModelRoutes(api, { manager: () => manager, engine: () => engine, audit: () => recorder, durability: 'strict' }, state, logger);
    base = `http://127.0.0.1:${await api.listen(0)}`;
  });
  afterEach(async () => {
    await api.close();
    await model.release();
    await journal.close().catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  const infer = async (body: unknown) => {
    const response = await fetch(`${base}/v1/infer`, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('answers, then turns an ONNX Runtime failure into a 500 counted as an error and journaled', async () => {
    expect(await infer({ model: 'fixed', input: { x: [[1, 2]] } })).toMatchObject({ status: 200, body: { outputs: { y: { dims: [1, 2], data: [2, 3] } } } });
    const failed = await infer({ model: 'fixed', input: { x: [[1, 2], [3, 4]] } });
    expect(failed.status).toBe(500);
    expect(failed.body.error).toMatch(/^inference failed: .*dimension/i);
    expect(state.inference).toEqual({ requests: 2, errors: 1, denied: 0 });
    await journal.flush();
    const records = (await journal.unacknowledged(100)).map((r) => JSON.parse(r.body) as { type: string; data?: Record<string, unknown> });
    const inferences = records.filter((r) => r.type === 'model.inference');
    // One record per request, carrying the decision: no separate policy.decision record.
    expect(records.filter((r) => r.type === 'policy.decision')).toEqual([]);
    expect(inferences).toHaveLength(2);
    expect(inferences[0]!.data).toEqual({
      action: 'infer',
      model: 'fixed',
      modelId: expect.any(String),
      version: '1.0.0',
      inputCategory: expect.any(String),
      decision: 'allow',
      ruleId: expect.any(String),
      layer: expect.any(String),
      policyVersion: expect.any(Number),
      provenance: expect.any(String),
      metadata: {},
      outputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      durationMs: expect.any(Number),
    });
    expect(inferences[1]!.data).toMatchObject({ model: 'fixed', version: '1.0.0', error: expect.stringMatching(/dimension/i) });
    expect(inferences[1]!.data!.outputHash).toBeUndefined();
  });

  it("records which application sent the input when the local API knows its callers", async () => {
    const token = 'vision-line-1-token-0123456789abcdef';
    const authenticated = new LocalApi({ clients: { 'vision-line-1': token } });
    registerModelRoutes(authenticated, { manager: () => ({ find: (name: string) => (name === 'fixed' ? { modelId: 'm1', name: 'fixed', version: '1.0.0', card, artifactSha256: 'x', model } : undefined) }) as unknown as ModelManager, engine: () => undefined, audit: () => ({ full: false, record: (event) => journal.append({ at: new Date().toISOString(), actor: 'node:n1', ...event }).then(() => undefined) }), durability: 'strict' }, state, logger);
    const at = `http://127.0.0.1:${await authenticated.listen(0)}`;
    try {
      const call = (headers: Record<string, string>) => fetch(`${at}/v1/infer`, { method: 'POST', headers, body: JSON.stringify({ model: 'fixed', input: { x: [[1, 2]] } }) });
      expect((await call({})).status).toBe(401);
      expect((await call({ authorization: `Bearer ${token}` })).status).toBe(403); // not enrolled here: denied, and journaled as such
      await journal.flush();
      const records = (await journal.unacknowledged(100)).map((r) => JSON.parse(r.body) as { type: string; data?: Record<string, unknown> });
      expect(records.filter((r) => r.type === 'model.inference').map((r) => r.data?.client)).toEqual(['vision-line-1']);
    } finally {
      await authenticated.close();
    }
  });

  it('refuses malformed requests with the field named', async () => {
    expect(await infer({ input: {} })).toEqual({ status: 400, body: { error: 'model: must be the name (or id) of a model active on this node' } });
    expect(await infer({ model: 'fixed', input: [1] })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^input: must be a JSON object/) } });
    expect(await infer({ model: 'fixed', input: { x: [[1, 2]] }, metadata: 'x' })).toEqual({ status: 400, body: { error: 'metadata: must be a JSON object' } });
    expect(await infer({ model: 'fixed', input: { x: [[1, 2]] }, metadata: { note: 'x'.repeat(20_000) } })).toEqual({ status: 400, body: { error: 'metadata: at most 16384 bytes of JSON' } });
    expect(await infer({ model: 'fixed', input: { x: [[1, 2]] }, colour: 'red' })).toEqual({ status: 400, body: { error: 'colour: unknown field (expected model, input, metadata)' } });
    expect(state.inference.requests).toBe(0);
  });

  it('withholds the result when the inference cannot be recorded (strict durability)', async () => {
    // The model runs, then its record (which carries the decision) cannot be written, as on a failing disk.
    journal.append = () => Promise.reject(new Error('EIO: disk failed'));
    const response = await infer({ model: 'fixed', input: { x: [[1, 2]] } });
    expect(response).toEqual({ status: 503, body: { error: 'the inference could not be recorded in the audit journal; its result is withheld' } });
    expect(state.inference.errors).toBe(1);
  });
});
