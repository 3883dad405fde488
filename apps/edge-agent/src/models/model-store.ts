import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isSemver } from '@meridian/models';
import { ensurePrivateDirectory, syncDirectory, writeFileAtomic } from '../files';

export const MODELS_DIR = 'models';
const ACTIVE_FILE = 'active.json';
const STATES_FILE = 'states.json';
const ARTIFACT_FILE = 'model.onnx';
const MANIFEST_FILE = 'manifest.json';
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The signed manifest as received (DesiredModel.manifest/key_id/signature), kept beside the artifact. */
export interface StoredManifest {
  manifest: Buffer;
  keyId: string;
  signature: Buffer;
}

export interface ActiveModel {
  name: string;
  version: string;
  /** The version this one replaced, kept in the cache for rollback. */
  previous: string | null;
  activatedAt: string;
  /**
   * The audit event of this activation, while it is not yet in the journal: written with the
   * pointer, dropped once journaled, so a crash between the two is made good at the next start.
   */
  unjournaled?: { type: string; data: Record<string, unknown>; category?: string; at?: string };
}

/** The last state this node reached for a model (its target version), and whether the control plane has it. */
export interface ModelStateRecord {
  version: string;
  state: string;
  detail: string;
  rolloutId: string;
  artifactSha256: string;
  at: string;
  reported: boolean;
}

export class ArtifactMismatch extends Error {}

/** Refuses ids and versions that could escape the models directory or are not what the protocol allows. */
export function checkModelRef(modelId: string, version: string): string | null {
  if (!MODEL_ID.test(modelId)) return `model id ${JSON.stringify(modelId.slice(0, 60))} is not a valid identifier`;
  if (!isSemver(version)) return `version ${JSON.stringify(version.slice(0, 60))} is not a semantic version`;
  return null;
}

/**
 * The agent's models on disk, under <dataDir>/models:
 *   cache/<modelId>/<version>/model.onnx + manifest.json   verified artifacts (current and previous)
 *   downloads/<modelId>@<version>.partial + .progress       a download in progress
 *   active.json                                             which version of each model serves
 *   states.json                                             the last state per model, reported or not
 * active.json is replaced atomically (temp file, fsync, rename, directory fsync): after a crash a
 * model runs either its old or its new version, both of which are complete on disk. A partial
 * download is trusted only up to the length its .progress file recorded after an fsync; anything
 * beyond (a torn write) is cut before resuming.
 */
export class ModelStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, MODELS_DIR);
  }

  async init(): Promise<void> {
    await ensurePrivateDirectory(this.root);
    await ensurePrivateDirectory(path.join(this.root, 'cache'));
    await ensurePrivateDirectory(path.join(this.root, 'downloads'));
  }

  async readActive(): Promise<Record<string, ActiveModel>> {
    return (await this.readJson<Record<string, ActiveModel>>(ACTIVE_FILE)) ?? {};
  }

  async writeActive(active: Record<string, ActiveModel>): Promise<void> {
    await writeFileAtomic(path.join(this.root, ACTIVE_FILE), `${JSON.stringify(active, null, 2)}\n`);
  }

  async readStates(): Promise<Record<string, ModelStateRecord>> {
    return (await this.readJson<Record<string, ModelStateRecord>>(STATES_FILE)) ?? {};
  }

  async writeStates(states: Record<string, ModelStateRecord>): Promise<void> {
    await writeFileAtomic(path.join(this.root, STATES_FILE), `${JSON.stringify(states, null, 2)}\n`);
  }

  private versionDir(modelId: string, version: string): string {
    const problem = checkModelRef(modelId, version);
    if (problem) throw new Error(problem);
    return path.join(this.root, 'cache', modelId, version);
  }

  private downloadBase(modelId: string, version: string): string {
    const problem = checkModelRef(modelId, version);
    if (problem) throw new Error(problem);
    return path.join(this.root, 'downloads', `${modelId}@${version}`);
  }

  async isCached(modelId: string, version: string): Promise<boolean> {
    const dir = this.versionDir(modelId, version);
    const [artifact, manifest] = await Promise.all([fs.stat(path.join(dir, ARTIFACT_FILE)).catch(() => null), fs.stat(path.join(dir, MANIFEST_FILE)).catch(() => null)]);
    return Boolean(artifact && manifest);
  }

  async cachedVersions(modelId: string): Promise<string[]> {
    return fs.readdir(path.join(this.root, 'cache', modelId)).catch(() => []);
  }

  /** Reads a cached artifact and its manifest, checking the bytes against the expected digest and size. */
  async readCached(modelId: string, version: string, expected: { sha256: string; size: number }): Promise<{ artifact: Buffer; manifest: StoredManifest }> {
    const dir = this.versionDir(modelId, version);
    const artifact = await fs.readFile(path.join(dir, ARTIFACT_FILE));
    checkArtifact(artifact, expected);
    const stored = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as { manifest: string; keyId: string; signature: string };
    return { artifact, manifest: { manifest: Buffer.from(stored.manifest, 'base64'), keyId: stored.keyId, signature: Buffer.from(stored.signature, 'base64') } };
  }

  async readCachedManifest(modelId: string, version: string): Promise<StoredManifest> {
    const stored = JSON.parse(await fs.readFile(path.join(this.versionDir(modelId, version), MANIFEST_FILE), 'utf8')) as { manifest: string; keyId: string; signature: string };
    return { manifest: Buffer.from(stored.manifest, 'base64'), keyId: stored.keyId, signature: Buffer.from(stored.signature, 'base64') };
  }

  /** Opens (or resumes) the partial download; what lies beyond the last durable checkpoint is cut. */
  async openPartial(modelId: string, version: string, options: { checkpointBytes?: number } = {}): Promise<PartialDownload> {
    const base = this.downloadBase(modelId, version);
    const progress = await fs
      .readFile(`${base}.progress`, 'utf8')
      .then((text) => (JSON.parse(text) as { durableBytes: number }).durableBytes)
      .catch(() => 0);
    const handle = await fs.open(`${base}.partial`, 'a+', 0o600).then(async (h) => {
      await h.close();
      return fs.open(`${base}.partial`, 'r+');
    });
    const size = (await handle.stat()).size;
    const durable = Number.isSafeInteger(progress) && progress >= 0 ? Math.min(progress, size) : 0;
    if (durable < size) await handle.truncate(durable);
    return new PartialDownload(handle, `${base}.progress`, durable, options.checkpointBytes ?? 256 * 1024);
  }

  async discardPartial(modelId: string, version: string): Promise<void> {
    const base = this.downloadBase(modelId, version);
    await fs.rm(`${base}.partial`, { force: true });
    await fs.rm(`${base}.progress`, { force: true });
  }

  /**
   * Moves a complete download into the cache once its bytes match the manifest (sha256 and size);
   * a mismatching file is deleted (never kept, never resumed) and ArtifactMismatch thrown.
   */
  async commitDownload(modelId: string, version: string, expected: { sha256: string; size: number }, manifest: StoredManifest): Promise<void> {
    const base = this.downloadBase(modelId, version);
    try {
      // Hashed as a stream: the artifact is never held in memory twice.
      await checkArtifactFile(`${base}.partial`, expected);
    } catch (error) {
      await this.discardPartial(modelId, version);
      throw error;
    }
    const dir = this.versionDir(modelId, version);
    await ensurePrivateDirectory(dir);
    // The manifest first: a cache entry counts only once its artifact is there too. The partial
    // file was fsync'd when the download closed; the rename is made durable with the directory.
    await this.writeManifest(dir, manifest);
    await fs.rename(`${base}.partial`, path.join(dir, ARTIFACT_FILE));
    await syncDirectory(dir);
    await this.discardPartial(modelId, version);
  }

  /** Writes a verified artifact and its manifest into the cache (each file atomically). */
  async storeArtifact(modelId: string, version: string, artifact: Uint8Array, manifest: StoredManifest): Promise<void> {
    const dir = this.versionDir(modelId, version);
    await ensurePrivateDirectory(dir);
    await this.writeManifest(dir, manifest);
    await writeFileAtomic(path.join(dir, ARTIFACT_FILE), artifact);
  }

  private async writeManifest(dir: string, manifest: StoredManifest): Promise<void> {
    await writeFileAtomic(
      path.join(dir, MANIFEST_FILE),
      JSON.stringify({ manifest: manifest.manifest.toString('base64'), keyId: manifest.keyId, signature: manifest.signature.toString('base64') }),
    );
  }

  /** Deletes cached versions of a model other than `keep` (the active one and its rollback target). */
  async prune(modelId: string, keep: (string | null | undefined)[]): Promise<string[]> {
    const removed: string[] = [];
    for (const version of await this.cachedVersions(modelId)) {
      if (keep.includes(version)) continue;
      await fs.rm(path.join(this.root, 'cache', modelId, version), { recursive: true, force: true });
      removed.push(version);
    }
    return removed;
  }

  private async readJson<T>(file: string): Promise<T | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.root, file), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`unreadable ${path.join(this.root, file)}: ${(error as Error).message}`);
    }
  }
}

async function checkArtifactFile(file: string, expected: { sha256: string; size: number }): Promise<void> {
  const { size } = await fs.stat(file);
  if (size !== expected.size) throw new ArtifactMismatch(`artifact is ${size} bytes, the manifest says ${expected.size}`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  if (sha256 !== expected.sha256) throw new ArtifactMismatch(`artifact sha256 ${sha256} does not match the manifest's ${expected.sha256}`);
}


export function checkArtifact(artifact: Uint8Array, expected: { sha256: string; size: number }): void {
  if (artifact.length !== expected.size) throw new ArtifactMismatch(`artifact is ${artifact.length} bytes, the manifest says ${expected.size}`);
  const sha256 = createHash('sha256').update(artifact).digest('hex');
  if (sha256 !== expected.sha256) throw new ArtifactMismatch(`artifact sha256 ${sha256} does not match the manifest's ${expected.sha256}`);
}

/**
 * A download being appended to. Bytes become durable at checkpoints (fsync, then the length is
 * recorded atomically in the .progress file); a resume starts from the last recorded length.
 */
export class PartialDownload {
  private sinceCheckpoint = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly progressFile: string,
    private size: number,
    private readonly checkpointBytes: number,
  ) {}

  get offset(): number {
    return this.size;
  }

  async append(data: Uint8Array): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.handle.write(data, written, data.length - written, this.size + written);
      written += bytesWritten;
    }
    this.size += data.length;
    this.sinceCheckpoint += data.length;
    if (this.sinceCheckpoint >= this.checkpointBytes) await this.checkpoint();
  }

  async checkpoint(): Promise<void> {
    await this.handle.datasync();
    await writeFileAtomic(this.progressFile, JSON.stringify({ durableBytes: this.size }));
    this.sinceCheckpoint = 0;
  }

  async close(): Promise<void> {
    await this.checkpoint().catch(() => undefined);
    await this.handle.close();
  }
}
