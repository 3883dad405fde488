import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { AgentServiceServer } from '../../test/agent-service-server';
import { publish, samples, type PublishedVersion } from '../../test/model-fixtures';
import { ControlPlaneClient } from '../control-plane-client';
import { Journal } from '../journal';
import { journalEvent } from '../audit-uploader';
import { createAgentState, type AgentState } from '../state';
import { ModelManager, type ActivationJournal } from './model-manager';
import { ModelStore, type ActiveModel } from './model-store';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
const tenantKey = generateEd25519KeyPair();
const otherKey = generateEd25519KeyPair();
const TENANT = 't-1';
const MODEL_ID = 'mdl_pump';
const trusted = new Map<string, Uint8Array>([['tsk_1', tenantKey.publicKey]]);
const version = (v: string, extra: Partial<Parameters<typeof publish>[0]> = {}): PublishedVersion =>
  publish({ tenantId: TENANT, modelId: MODEL_ID, name: 'pump-anomaly', version: v, keyId: 'tsk_1', key: loadPrivateKey(tenantKey.privateKeyPem), ...extra });
const anomalous = samples('pump-anomaly').anomalous!.input;

describe('ModelManager (against a real gRPC AgentService on loopback)', () => {
  let dir: string;
  let server: AgentServiceServer;
  let client: ControlPlaneClient;
  let journal: Journal;
  let recorder: ActivationJournal;
  let state: AgentState;
  let managers: ModelManager[];

  const newManager = async (target = server, store = new ModelStore(dir)) => {
    const c = target === server ? client : new ControlPlaneClient(`127.0.0.1:${target.port}`, undefined);
    const manager = new ModelManager(store, c, { tenantId: TENANT, keys: () => trusted }, recorder, state, logger, { backoff: { initialMs: 20, maxMs: 100 } });
    managers.push(manager);
    await manager.start();
    return manager;
  };
  const offer = (...versions: PublishedVersion[]) => {
    for (const v of versions) server.artifacts.set(`${v.desired.modelId}@${v.desired.version}`, v.artifact);
  };
  const events = async () => {
    await journal.flush();
    return (await journal.unacknowledged(1000)).map((r) => JSON.parse(r.body) as { type: string; data?: Record<string, unknown> });
  };
  /** Hands the manager a desired state and waits until it has acted on it (reports delivered). */
  const desire = async (manager: ModelManager, revision: number, ...models: PublishedVersion['desired'][]) => {
    manager.applyDesired({ revision, models });
    await manager.settled();
  };
  const score = async (manager: ModelManager) => {
    const model = manager.find('pump-anomaly')!;
    const out = await model.model.run(model.model.prepare(anomalous));
    return { version: model.version, score: out.anomaly_score!.data[0]! };
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-models-'));
    server = new AgentServiceServer();
    await server.start();
    client = new ControlPlaneClient(`127.0.0.1:${server.port}`, undefined);
    const nodeKey = generateEd25519KeyPair();
    client.authenticateAs(randomUUID(), loadPrivateKey(nodeKey.privateKeyPem));
    journal = await Journal.open(dir, { maxBytes: 1_000_000, flushIntervalMs: 1, retentionMs: 86_400_000 }, logger);
    recorder = {
      get full() { return journal.full; },
      record: (event) => journal.append(journalEvent('n1', event)).then(() => undefined),
      journaled: (event) => journal.includes(journalEvent('n1', event)),
    };
    state = createAgentState('test');
    managers = [];
  });
  afterEach(async () => {
    for (const manager of managers) await manager.stop();
    client.close();
    await server.stop();
    await journal.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('downloads, verifies, activates and reports every state in order, then serves', async () => {
    const v1 = version('1.0.0');
    offer(v1);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    expect(server.reportsFor(MODEL_ID)).toEqual(['downloading', 'verifying', 'activating', 'active']);
    expect(server.reports.every((r) => r.rolloutId === 'ro-1.0.0')).toBe(true);
    expect((await score(manager)).score).toBeGreaterThan(0.9);
    expect(state.models).toEqual([{ modelId: MODEL_ID, version: '1.0.0', state: 'active' }]);
    const active = JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'));
    expect(active[MODEL_ID]).toMatchObject({ name: 'pump-anomaly', version: '1.0.0', previous: null });
    expect((await events()).find((e) => e.type === 'model.activated')?.data).toMatchObject({ modelId: MODEL_ID, version: '1.0.0', sha256: v1.desired.artifactSha256 });
    // A re-sent desired state (a reconnect) changes nothing and downloads nothing.
    await desire(manager, 1, v1.desired);
    expect(server.fetches).toHaveLength(1);
  });

  it('upgrades, then rolls back from the local cache without downloading, and keeps both versions on disk', async () => {
    const v1 = version('1.0.0');
    const v2 = version('1.1.0');
    offer(v1, v2);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    await desire(manager, 2, v2.desired);
    expect((await score(manager)).version).toBe('1.1.0');
    const fetchesBefore = server.fetches.length;
    const rollback = { ...v1.desired, rolloutId: 'ro-1.1.0' }; // the control plane points the rollout back at 1.0.0
    await desire(manager, 3, rollback);
    expect(server.fetches.length).toBe(fetchesBefore);
    expect(server.reports.filter((r) => r.rolloutId === 'ro-1.1.0' && r.version === '1.0.0').map((r) => r.state)).toEqual(['verifying', 'activating', 'active']);
    expect((await score(manager)).version).toBe('1.0.0');
    expect((await events()).find((e) => e.type === 'model.rolled_back')?.data).toMatchObject({ from: '1.1.0', to: '1.0.0' });
    expect((await fs.readdir(path.join(dir, 'models', 'cache', MODEL_ID))).sort()).toEqual(['1.0.0', '1.1.0']);
  });

  it('refuses an artifact whose sha256 does not match the manifest and keeps serving the previous version', async () => {
    const v1 = version('1.0.0');
    const v2 = version('1.1.0');
    offer(v1);
    const tampered = Buffer.from(v2.artifact);
    tampered[tampered.length - 3]! ^= 0xff;
    server.artifacts.set(`${MODEL_ID}@1.1.0`, tampered);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    await desire(manager, 2, v2.desired);
    expect(server.reportsFor(MODEL_ID, '1.1.0')).toEqual(['downloading', 'verifying', 'failed']);
    expect(server.reports.at(-1)!.detail).toMatch(/sha256 .* does not match the manifest/);
    expect((await score(manager)).version).toBe('1.0.0');
    expect(await fs.readdir(path.join(dir, 'models', 'downloads'))).toEqual([]);
    expect(await fs.readdir(path.join(dir, 'models', 'cache', MODEL_ID))).toEqual(['1.0.0']);
    expect(state.models).toEqual([
      { modelId: MODEL_ID, version: '1.0.0', state: 'active' },
      { modelId: MODEL_ID, version: '1.1.0', state: 'failed' },
    ]);
    expect((await events()).find((e) => e.type === 'model.activation_failed')?.data).toMatchObject({ version: '1.1.0', stage: 'verifying', serving: '1.0.0' });
    // The same rollout is not retried on every re-sent desired state.
    await desire(manager, 2, v2.desired);
    expect(server.fetches.filter((f) => f.version === '1.1.0')).toHaveLength(1);
  });

  it('a version ONNX Runtime cannot load fails activation; the active pointer and the serving version stay', async () => {
    const v1 = version('1.0.0');
    const broken = version('1.2.0', { files: 'broken' });
    offer(v1, broken);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    await desire(manager, 2, broken.desired);
    expect(server.reportsFor(MODEL_ID, '1.2.0')).toEqual(['downloading', 'verifying', 'activating', 'failed']);
    expect(server.reports.at(-1)!.detail).toMatch(/^activating: ONNX Runtime cannot load the artifact: .*undefined_value/);
    expect((await score(manager)).version).toBe('1.0.0');
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].version).toBe('1.0.0');
  });

  it('refuses a manifest signed by a key the node does not trust, before downloading anything', async () => {
    const forged = version('1.0.0', { keyId: 'tsk_x', key: loadPrivateKey(otherKey.privateKeyPem) });
    offer(forged);
    const manager = await newManager();
    await desire(manager, 1, forged.desired);
    expect(server.reportsFor(MODEL_ID)).toEqual(['failed']);
    expect(server.reports[0]!.detail).toBe('verifying: manifest refused: manifest signed by unknown key tsk_x');
    expect(server.fetches).toHaveLength(0);
    expect(manager.find('pump-anomaly')).toBeUndefined();
  });

  it('retries a manifest refused for an unknown key once the node trusts that key (rotation), not before', async () => {
    const rotated = generateEd25519KeyPair();
    const v1 = version('1.0.0', { keyId: 'tsk_2', key: loadPrivateKey(rotated.privateKeyPem) });
    offer(v1);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    await desire(manager, 1, v1.desired);
    expect(server.reportsFor(MODEL_ID)).toEqual(['failed']);
    trusted.set('tsk_2', rotated.publicKey); // a policy bundle announced it
    try {
      manager.trustChanged();
      await manager.settled();
      expect(server.reportsFor(MODEL_ID)).toEqual(['failed', 'downloading', 'verifying', 'activating', 'active']);
      expect(manager.find('pump-anomaly')?.version).toBe('1.0.0');
    } finally {
      trusted.delete('tsk_2');
    }
  });

  it('drops a superseded target at once: a stale desired state followed by the current one ends active on the current one', async () => {
    const v1 = version('1.0.0');
    const v2 = version('1.1.0');
    offer(v1, v2);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    // A node frozen during a rollout wakes up to two buffered messages: 1.1.0, then the rollback to 1.0.0.
    server.refused.add(`${MODEL_ID}@1.1.0`);
    manager.applyDesired({ revision: 2, models: [v2.desired] });
    await desire(manager, 3, { ...v1.desired, rolloutId: v2.desired.rolloutId });
    expect(manager.find('pump-anomaly')?.version).toBe('1.0.0');
    expect(server.reports.at(-1)).toMatchObject({ version: '1.0.0', state: 'active', rolloutId: v2.desired.rolloutId });
    expect(server.fetches.filter((f) => f.version === '1.1.0').length).toBeLessThanOrEqual(1);
  });

  it('resumes a download broken mid-stream from the bytes it already has', async () => {
    const v1 = version('1.0.0');
    offer(v1);
    server.chunkSize = 100;
    server.breakAfterChunks = 3;
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    // The second request resumes from what reached the file before the break (chunks still in
    // flight when the connection dropped are fetched again), never from zero.
    const offsets = server.fetches.map((f) => f.offset);
    expect(offsets).toHaveLength(2);
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBeGreaterThanOrEqual(100);
    expect(offsets[1]).toBeLessThanOrEqual(300);
    expect(offsets[1]! % 100).toBe(0);
    expect(server.reportsFor(MODEL_ID)).toEqual(['downloading', 'verifying', 'activating', 'active']);
    expect((await score(manager)).score).toBeGreaterThan(0.9);
  });

  it('reloads active versions from disk after a restart and serves with the control plane gone', async () => {
    const v1 = version('1.0.0');
    offer(v1);
    const first = await newManager();
    await desire(first, 1, v1.desired);
    await first.stop();
    await server.stop();
    const restarted = await newManager();
    expect(await score(restarted)).toMatchObject({ version: '1.0.0' });
    expect(state.models).toEqual([{ modelId: MODEL_ID, version: '1.0.0', state: 'active' }]);
  });

  it('journals at the next start an activation switched to but not journaled (a crash in between), once', async () => {
    const v1 = version('1.0.0');
    offer(v1);
    const working = recorder;
    // The first run switches to 1.0.0, then its record does not reach the journal (as if killed right then).
    recorder = { ...working, get full() { return working.full; }, record: (event) => (event.type === 'model.activated' ? Promise.reject(new Error('killed')) : working.record(event)) };
    const first = await newManager();
    await desire(first, 1, v1.desired);
    await first.stop();
    recorder = working;
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].unjournaled).toMatchObject({ type: 'model.activated', data: { version: '1.0.0' } });
    expect((await events()).filter((e) => e.type === 'model.activated')).toEqual([]);

    const restarted = await newManager();
    expect(await score(restarted)).toMatchObject({ version: '1.0.0' });
    expect((await events()).filter((e) => e.type === 'model.activated').map((e) => e.data)).toEqual([expect.objectContaining({ modelId: MODEL_ID, version: '1.0.0', previous: null })]);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].unjournaled).toBeUndefined();
    await restarted.stop();
    await newManager(); // and not again at the start after
    expect((await events()).filter((e) => e.type === 'model.activated')).toHaveLength(1);
  });

  it('does not journal an activation twice when the last run was killed after its record but before the pointer rewrite', async () => {
    const v1 = version('1.0.0');
    offer(v1);
    // The first run journals the activation, then dies before the pointer drops its pending event.
    class KilledAfterJournal extends ModelStore {
      override async writeActive(active: Record<string, ActiveModel>): Promise<void> {
        if (Object.values(active).some((pointer) => !pointer.unjournaled)) throw new Error('killed');
        await super.writeActive(active);
      }
    }
    const first = await newManager(server, new KilledAfterJournal(dir));
    await desire(first, 1, v1.desired);
    await first.stop();
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].unjournaled).toMatchObject({ type: 'model.activated' });
    expect((await events()).filter((e) => e.type === 'model.activated')).toHaveLength(1);

    const restarted = await newManager();
    expect(await score(restarted)).toMatchObject({ version: '1.0.0' });
    expect((await events()).filter((e) => e.type === 'model.activated')).toHaveLength(1);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].unjournaled).toBeUndefined();
  });

  it('falls back to the cached previous version when the active one no longer verifies at startup', async () => {
    const v1 = version('1.0.0');
    const v2 = version('1.1.0');
    offer(v1, v2);
    const first = await newManager();
    await desire(first, 1, v1.desired);
    await desire(first, 2, v2.desired);
    await first.stop();
    const artifact = path.join(dir, 'models', 'cache', MODEL_ID, '1.1.0', 'model.onnx');
    const bytes = await fs.readFile(artifact);
    bytes[bytes.length - 1]! ^= 0x01;
    await fs.writeFile(artifact, bytes);
    const restarted = await newManager();
    expect((await score(restarted)).version).toBe('1.0.0');
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].version).toBe('1.0.0');
    const types = (await events()).map((e) => e.type);
    expect(types).toContain('model.activation_failed');
    expect(types.at(-1)).toBe('model.rolled_back');
  });

  it('starts without models, rather than not at all, when its pointer file is damaged', async () => {
    await new ModelStore(dir).init();
    await fs.writeFile(path.join(dir, 'models', 'active.json'), '{"mdl_pump": {"vers');
    const manager = await newManager();
    expect(manager.list()).toEqual([]);
    const v1 = version('1.0.0');
    offer(v1);
    await desire(manager, 1, v1.desired);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))[MODEL_ID].version).toBe('1.0.0');
  });

  it('deactivates a model absent from the desired state', async () => {
    const v1 = version('1.0.0');
    offer(v1);
    const manager = await newManager();
    await desire(manager, 1, v1.desired);
    await desire(manager, 2);
    expect(manager.find('pump-anomaly')).toBeUndefined();
    expect(state.models).toEqual([]);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'models', 'active.json'), 'utf8'))).toEqual({});
    expect((await events()).map((e) => e.type)).toContain('model.deactivated');
  });
});
