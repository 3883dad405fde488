import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject } from '@nestjs/common';

/**
 * Where model artifacts live. The registry streams uploads in and FetchArtifact streams them out;
 * neither holds a whole artifact in memory. The filesystem store is the default; an S3-compatible
 * store implements the same interface (multipart upload for put, ranged GET for read).
 */
export interface ArtifactStore {
  /** Streams `source` to `key`, hashing on the way; the object appears under `key` only once complete. */
  put(key: string, source: Readable, options: { maxBytes: number }): Promise<{ sha256: string; size: number }>;
  /** A stream of the object from byte `offset` on, read in `chunkBytes` pieces. */
  read(key: string, offset: number, chunkBytes: number): Readable;
  /** The object's size, or undefined when there is no such object. */
  size(key: string): Promise<number | undefined>;
  delete(key: string): Promise<void>;
  /** Removes uploads a crash left unfinished (older than `olderThanMs`); returns how many. */
  removeAbandonedUploads(olderThanMs: number): Promise<number>;
}

export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
export const InjectArtifactStore = () => Inject(ARTIFACT_STORE);

export class ArtifactTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`artifact exceeds the limit of ${maxBytes} bytes`);
    this.name = 'ArtifactTooLargeError';
  }
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export class FilesystemArtifactStore implements ArtifactStore {
  constructor(private readonly root: string) {}

  async put(key: string, source: Readable, options: { maxBytes: number }): Promise<{ sha256: string; size: number }> {
    const target = this.resolve(key);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
    const temporary = `${target}.${randomBytes(6).toString('hex')}.partial`;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > options.maxBytes) return callback(new ArtifactTooLargeError(options.maxBytes));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      const file = createWriteStream(temporary, { mode: 0o640 });
      await pipeline(source, meter, file);
      // Durable before it becomes visible: fsync the file, then rename over the old object.
      const handle = await fs.open(temporary, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
    return { sha256: hash.digest('hex'), size };
  }

  read(key: string, offset: number, chunkBytes: number): Readable {
    return createReadStream(this.resolve(key), { start: offset, highWaterMark: chunkBytes });
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await fs.stat(this.resolve(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }

  async removeAbandonedUploads(olderThanMs: number): Promise<number> {
    const entries = await fs.readdir(this.root, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    let removed = 0;
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.partial')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat || Date.now() - stat.mtimeMs < olderThanMs) continue;
      await fs.rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }

  private resolve(key: string): string {
    // Keys are built by the registry from ids, never from user input; this guards the invariant.
    if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) throw new Error(`invalid artifact key ${key}`);
    return path.join(this.root, key);
  }
}
