import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { sha256Hex } from '@meridian/crypto';
import { activeSigningKey, signingPrivateKey, type Model, type ModelVersion, type TenantTx } from '@meridian/db';
import { compareSemver, isSemver, MANIFEST_API_VERSION, signManifest, type ModelCard, type ModelManifest } from '@meridian/models';
import { recordChange } from '../audit/record';
import { tenantContext, type Principal } from '../auth/principal';
import { conflict, notFound, ProblemException } from '../common/problem';
import { InjectConfig } from '../config/config.module';
import { TenantPrisma } from '../prisma/prisma.service';
import { ArtifactTooLargeError, InjectArtifactStore, type ArtifactStore } from './artifact-store';
import { validateModelCard } from './model-card';
import type { CreateModelDto, ModelDetailView, ModelList, ModelVersionView, ModelView } from './dto/model.dto';

export interface ArtifactUpload {
  contentType: string | undefined;
  contentLength: number | undefined;
  /** sha256 the client says it sent (x-artifact-sha256); the upload is refused when the bytes differ. */
  expectedSha256: string | undefined;
  body: Readable;
}

/**
 * The model registry: models, their semver versions (card, artifact, signed manifest). A version is
 * a draft until published; from then on nothing about it changes (the database enforces it too).
 */
@Injectable()
export class ModelsService {
  private readonly logger = new Logger(ModelsService.name);

  constructor(
    private readonly db: TenantPrisma,
    @InjectArtifactStore() private readonly store: ArtifactStore,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async create(principal: Principal, input: CreateModelDto): Promise<ModelView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      if (await tx.model.findFirst({ where: { name: input.name }, select: { id: true } })) throw conflict(`a model named ${input.name} already exists`);
      const model = await tx.model.create({ data: { tenantId: principal.tenantId, name: input.name, description: input.description ?? null, createdBy: principal.subjectId } });
      await recordChange(tx, principal, 'admin.model.created', { modelId: model.id, name: model.name });
      return toModelView(model, []);
    });
  }

  async list(principal: Principal): Promise<ModelList> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const models = await tx.model.findMany({ orderBy: { name: 'asc' }, take: 500, include: { versions: { where: { status: 'published' }, select: { version: true } } } });
      return { items: models.map((model) => toModelView(model, model.versions.map((v) => v.version))) };
    });
  }

  async get(principal: Principal, id: string): Promise<ModelDetailView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const model = await findModel(tx, id);
      const versions = (await tx.modelVersion.findMany({ where: { modelId: id } })).sort((a, b) => compareSemver(b.version, a.version));
      return { ...toModelView(model, versions.filter((v) => v.status === 'published').map((v) => v.version)), versions: versions.map(toVersionView) };
    });
  }

  async getVersion(principal: Principal, id: string, version: string): Promise<ModelVersionView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      await findModel(tx, id);
      return toVersionView(await findVersion(tx, id, version));
    });
  }

  /** Creates a draft version with its card, or replaces the card of a draft. */
  async saveVersion(principal: Principal, id: string, version: string, cardInput: unknown): Promise<{ view: ModelVersionView; created: boolean }> {
    return this.db.run(tenantContext(principal), async (tx) => {
      await findModel(tx, id);
      if (!isSemver(version)) throw invalidVersion(version);
      const card = await validateModelCard(tx, cardInput);
      const existing = await tx.modelVersion.findFirst({ where: { modelId: id, version } });
      if (existing?.status === 'published') throw immutable(version);
      const row = existing
        ? await tx.modelVersion.update({ where: { id: existing.id }, data: { card: card as object } })
        : await tx.modelVersion.create({ data: { tenantId: principal.tenantId, modelId: id, version, card: card as object, createdBy: principal.subjectId } });
      await recordChange(tx, principal, 'admin.model.version_saved', { modelId: id, version, created: !existing });
      return { view: toVersionView(row), created: !existing };
    });
  }

  /**
   * Streams the artifact of a draft version into the store while hashing it. Each upload goes to a
   * fresh key and the version row points to it only if the version is still a draft, so a publish
   * racing an upload never sees its bytes replaced.
   */
  async uploadArtifact(principal: Principal, id: string, version: string, upload: ArtifactUpload): Promise<ModelVersionView> {
    const draft = await this.db.run(tenantContext(principal), async (tx) => {
      await findModel(tx, id);
      const row = await findVersion(tx, id, version);
      if (row.status === 'published') throw immutable(version);
      return row;
    });
    if (!/^application\/octet-stream\s*(;|$)/i.test(upload.contentType ?? '')) {
      throw new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported-media-type', 'send the artifact as the raw request body with content-type application/octet-stream');
    }
    if (upload.expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(upload.expectedSha256)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'validation', 'x-artifact-sha256 must be a lower-case hex sha256', [{ path: 'headers.x-artifact-sha256', message: 'must be 64 lower-case hex characters' }]);
    }
    const maxBytes = this.config.artifacts.maxBytes;
    if (upload.contentLength !== undefined && upload.contentLength > maxBytes) throw tooLarge(maxBytes);
    const key = `${principal.tenantId}/${draft.id}/${Date.now()}-${randomBytes(4).toString('hex')}.onnx`;
    let stored: { sha256: string; size: number };
    try {
      stored = await this.store.put(key, upload.body, { maxBytes });
    } catch (error) {
      if (error instanceof ArtifactTooLargeError) throw tooLarge(maxBytes);
      if (['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED'].includes((error as NodeJS.ErrnoException).code ?? '')) {
        throw new ProblemException(HttpStatus.BAD_REQUEST, 'upload-interrupted', 'the upload ended before the body was complete; nothing was stored');
      }
      throw error;
    }
    const discard = () => this.store.delete(key).catch((error: unknown) => this.logger.warn({ err: error, key }, 'could not remove a refused upload'));
    if (stored.size === 0) {
      await discard();
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'validation', 'the artifact is empty', [{ path: 'body', message: 'must not be empty' }]);
    }
    if (upload.expectedSha256 && upload.expectedSha256 !== stored.sha256) {
      await discard();
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'digest-mismatch', `the bytes received hash to ${stored.sha256}, not ${upload.expectedSha256}; nothing was stored`, [
        { path: 'headers.x-artifact-sha256', message: 'does not match the body' },
      ]);
    }
    const result = await this.db.run(tenantContext(principal), async (tx) => {
      // Row lock: of two uploads finishing together, each sees the other's key and the loser's file is removed.
      await tx.$executeRaw`SELECT 1 FROM model_versions WHERE id = ${draft.id}::uuid FOR UPDATE`;
      const current = await tx.modelVersion.findFirst({ where: { id: draft.id } });
      if (!current || current.status !== 'draft') return undefined;
      const row = await tx.modelVersion.update({ where: { id: draft.id }, data: { artifactSha256: stored.sha256, artifactSize: BigInt(stored.size), artifactKey: key } });
      await recordChange(tx, principal, 'admin.model.artifact_uploaded', { modelId: id, version, sha256: stored.sha256, size: stored.size });
      return { row, replaced: current.artifactKey };
    });
    if (!result) {
      await discard();
      throw immutable(version);
    }
    if (result.replaced) await this.store.delete(result.replaced).catch(() => undefined);
    return toVersionView(result.row);
  }

  /** Signs the manifest with the tenant's active key and freezes the version. */
  async publish(principal: Principal, id: string, version: string): Promise<ModelVersionView> {
    const row = await this.db.run(tenantContext(principal), async (tx) => {
      const model = await findModel(tx, id);
      const draft = await findVersion(tx, id, version);
      if (draft.status === 'published') throw immutable(version);
      // Serialises against a concurrent upload or publish of the same version.
      await tx.$executeRaw`SELECT 1 FROM model_versions WHERE id = ${draft.id}::uuid FOR UPDATE`;
      const locked = await tx.modelVersion.findFirstOrThrow({ where: { id: draft.id } });
      if (locked.status === 'published') throw immutable(version);
      if (!locked.artifactSha256 || locked.artifactSize === null) {
        throw new ProblemException(HttpStatus.CONFLICT, 'artifact-missing', `upload the artifact of ${model.name} ${version} before publishing it`);
      }
      const publishedAt = new Date();
      const manifest: ModelManifest = {
        apiVersion: MANIFEST_API_VERSION,
        tenantId: principal.tenantId,
        modelId: model.id,
        name: model.name,
        version,
        artifact: { sha256: locked.artifactSha256, size: Number(locked.artifactSize), format: 'onnx' },
        card: locked.card as unknown as ModelCard,
        publishedAt: publishedAt.toISOString(),
      };
      const key = await activeSigningKey(tx, principal.tenantId, this.config.keys.encryptionKey);
      const signed = signManifest(manifest, key.keyId, signingPrivateKey(key, this.config.keys.encryptionKey));
      const published = await tx.modelVersion.update({
        where: { id: draft.id },
        data: {
          status: 'published',
          manifest: signed.manifest.toString('utf8'),
          keyId: signed.keyId,
          signature: signed.signature.toString('base64'),
          publishedAt,
          publishedBy: principal.subjectId,
        },
      });
      await recordChange(tx, principal, 'admin.model.published', { modelId: id, name: model.name, version, sha256: locked.artifactSha256, keyId: signed.keyId, manifestDigest: signed.digest });
      return published;
    });
    return toVersionView(row);
  }
}

export async function findModel(tx: TenantTx, id: string): Promise<Model> {
  const model = await tx.model.findFirst({ where: { id } });
  if (!model) throw notFound('model');
  return model;
}

export async function findVersion(tx: TenantTx, modelId: string, version: string): Promise<ModelVersion> {
  const row = isSemver(version) ? await tx.modelVersion.findFirst({ where: { modelId, version } }) : null;
  if (!row) throw notFound(`model version ${version}`);
  return row;
}

function invalidVersion(version: string) {
  return new ProblemException(HttpStatus.BAD_REQUEST, 'validation', `${JSON.stringify(version)} is not a semantic version`, [{ path: 'version', message: 'must be a semantic version such as 1.2.0 or 2.0.0-rc.1' }]);
}

function immutable(version: string) {
  return new ProblemException(HttpStatus.CONFLICT, 'version-published', `version ${version} is published and cannot change; save a new version instead`);
}

function tooLarge(maxBytes: number) {
  return new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, 'artifact-too-large', `the artifact exceeds the limit of ${maxBytes} bytes (ARTIFACT_MAX_BYTES)`);
}

function toModelView(model: Model, published: string[]): ModelView {
  const latest = published.length ? [...published].sort(compareSemver).at(-1)! : null;
  return { id: model.id, name: model.name, description: model.description, latestPublished: latest, createdAt: model.createdAt };
}

export function toVersionView(row: ModelVersion): ModelVersionView {
  return {
    id: row.id,
    modelId: row.modelId,
    version: row.version,
    status: row.status,
    card: row.card,
    artifact: row.artifactSha256 && row.artifactSize !== null ? { sha256: row.artifactSha256, size: Number(row.artifactSize) } : null,
    keyId: row.keyId,
    manifestDigest: row.manifest ? sha256Hex(row.manifest) : null,
    publishedAt: row.publishedAt,
    publishedBy: row.publishedBy,
    createdAt: row.createdAt,
  };
}

