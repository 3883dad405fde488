import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactMismatch, checkModelRef, ModelStore } from './model-store';

const manifest = { manifest: Buffer.from('{"m":1}'), keyId: 'tsk_1', signature: Buffer.from('sig') };
const bytes = Buffer.from(Array.from({ length: 500 }, (_, i) => i % 251));
const expected = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };

describe('ModelStore', () => {
  let dir: string;
  let store: ModelStore;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-store-'));
    store = new ModelStore(dir);
    await store.init();
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('replaces the active pointer atomically: no temporary file left, a crashed writer’s leftover changes nothing', async () => {
    await store.writeActive({ m1: { name: 'pump', version: '1.0.0', previous: null, activatedAt: 't0' } });
    // What a writer killed between write and rename leaves behind: a temporary sibling.
    await fs.writeFile(path.join(store.root, '.active.json.deadbeef.tmp'), '{"m1":{"version":"9.9.9"');
    expect((await store.readActive()).m1!.version).toBe('1.0.0');
    await store.writeActive({ m1: { name: 'pump', version: '1.1.0', previous: '1.0.0', activatedAt: 't1' } });
    expect(await store.readActive()).toEqual({ m1: { name: 'pump', version: '1.1.0', previous: '1.0.0', activatedAt: 't1' } });
    expect((await fs.readdir(store.root)).filter((f) => f.endsWith('.tmp') && !f.includes('deadbeef'))).toEqual([]);
  });

  it('cuts a torn partial download back to its last durable checkpoint and resumes from there', async () => {
    const first = await store.openPartial('m1', '1.0.0', { checkpointBytes: 100 });
    expect(first.offset).toBe(0);
    await first.append(bytes.subarray(0, 120)); // crosses a checkpoint: 120 durable
    await first.append(bytes.subarray(120, 170)); // not yet checkpointed
    // kill -9 here: the handle is never closed; the OS may also have extended the file with garbage.
    await fs.appendFile(path.join(store.root, 'downloads', 'm1@1.0.0.partial'), Buffer.alloc(30, 0));
    const resumed = await store.openPartial('m1', '1.0.0', { checkpointBytes: 100 });
    expect(resumed.offset).toBe(120);
    expect((await fs.stat(path.join(store.root, 'downloads', 'm1@1.0.0.partial'))).size).toBe(120);
    await resumed.append(bytes.subarray(120));
    await resumed.close();
    await store.commitDownload('m1', '1.0.0', expected, manifest);
    expect((await store.readCached('m1', '1.0.0', expected)).artifact.equals(bytes)).toBe(true);
    expect(await fs.readdir(path.join(store.root, 'downloads'))).toEqual([]);
  });

  it('starts from zero when a partial file has no progress record', async () => {
    await fs.writeFile(path.join(store.root, 'downloads', 'm1@1.0.0.partial'), bytes.subarray(0, 50));
    expect((await store.openPartial('m1', '1.0.0')).offset).toBe(0);
  });

  it('refuses a download whose sha256 or size differs from the manifest and deletes it', async () => {
    const partial = await store.openPartial('m1', '1.0.0');
    const tampered = Buffer.from(bytes);
    tampered[10] = 0xff;
    await partial.append(tampered);
    await partial.close();
    await expect(store.commitDownload('m1', '1.0.0', expected, manifest)).rejects.toThrow(ArtifactMismatch);
    await expect(store.commitDownload('m1', '1.0.0', expected, manifest)).rejects.toThrow(/ENOENT/);
    expect(await store.isCached('m1', '1.0.0')).toBe(false);
    const short = await store.openPartial('m1', '1.0.0');
    await short.append(bytes.subarray(0, 499));
    await short.close();
    await expect(store.commitDownload('m1', '1.0.0', expected, manifest)).rejects.toThrow('artifact is 499 bytes, the manifest says 500');
  });

  it('refuses a cached artifact changed on disk', async () => {
    await store.storeArtifact('m1', '1.0.0', bytes, manifest);
    await fs.writeFile(path.join(store.root, 'cache', 'm1', '1.0.0', 'model.onnx'), Buffer.concat([bytes.subarray(0, 499), Buffer.from([7])]));
    await expect(store.readCached('m1', '1.0.0', expected)).rejects.toThrow(/does not match the manifest/);
  });

  it('keeps the active and previous versions when pruning', async () => {
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await store.storeArtifact('m1', v, bytes, manifest);
    expect(await store.prune('m1', ['1.2.0', '1.1.0'])).toEqual(['1.0.0']);
    expect((await store.cachedVersions('m1')).sort()).toEqual(['1.1.0', '1.2.0']);
    expect((await store.readCachedManifest('m1', '1.2.0')).manifest.equals(manifest.manifest)).toBe(true);
  });

  it('refuses ids and versions that could leave the models directory', async () => {
    expect(checkModelRef('../../etc', '1.0.0')).toMatch(/not a valid identifier/);
    expect(checkModelRef('m1', '../1.0.0')).toMatch(/not a semantic version/);
    expect(checkModelRef('3f0c1a52-6a43-4c1e-9a55-0d7a5b0e0e11', '1.0.0-rc.1+build.5')).toBeNull();
    await expect(store.openPartial('m1/../../x', '1.0.0')).rejects.toThrow(/not a valid identifier/);
  });
});
