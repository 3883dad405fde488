import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactTooLargeError, FilesystemArtifactStore } from './artifact-store';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('filesystem artifact store', () => {
  let root: string;
  let store: FilesystemArtifactStore;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-store-'));
    store = new FilesystemArtifactStore(root);
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('stores a stream under its key with its sha256 and size, and reads it back from any offset', async () => {
    const bytes = randomBytes(200_000);
    const stored = await store.put('t1/v1/a.onnx', Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]), { maxBytes: 1_000_000 });
    expect(stored).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
    expect(await store.size('t1/v1/a.onnx')).toBe(bytes.length);
    expect(await readAll(store.read('t1/v1/a.onnx', 123_456, 64 * 1024))).toEqual(bytes.subarray(123_456));
    await store.delete('t1/v1/a.onnx');
    expect(await store.size('t1/v1/a.onnx')).toBeUndefined();
  });

  it('refuses more than the limit and leaves nothing behind', async () => {
    await expect(store.put('t1/v1/b.onnx', Readable.from([randomBytes(600), randomBytes(600)]), { maxBytes: 1000 })).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(await fs.readdir(path.join(root, 't1/v1'))).toEqual([]);
  });

  it('refuses keys that could leave its directory', async () => {
    for (const key of ['../etc/passwd', 't1/../../x', '/abs', 't1//x', '']) {
      await expect(store.put(key, Readable.from([Buffer.from('x')]), { maxBytes: 10 })).rejects.toThrow(/invalid artifact key/);
    }
  });

  it('sweeps uploads a crash left unfinished, and only old ones', async () => {
    await fs.mkdir(path.join(root, 't1/v2'), { recursive: true });
    const old = path.join(root, 't1/v2/x.onnx.abc.partial');
    const fresh = path.join(root, 't1/v2/y.onnx.def.partial');
    await fs.writeFile(old, 'half');
    await fs.writeFile(fresh, 'half');
    const past = new Date(Date.now() - 3_600_000);
    await fs.utimes(old, past, past);
    await store.put('t1/v2/done.onnx', Readable.from([Buffer.from('whole')]), { maxBytes: 10 });
    expect(await store.removeAbandonedUploads(60_000)).toBe(1);
    expect((await fs.readdir(path.join(root, 't1/v2'))).sort()).toEqual(['done.onnx', 'y.onnx.def.partial']);
    expect(await new FilesystemArtifactStore(path.join(root, 'missing')).removeAbandonedUploads(0)).toBe(0);
  });
});
