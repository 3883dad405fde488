import type { KeyObject } from 'node:crypto';
import { sha256Hex, signEd25519, verifyEd25519 } from '@meridian/crypto';
import { canonicalJson } from '@meridian/governance';
import { z } from 'zod';
import { isSemver } from './semver';

/**
 * What a published model version is, signed by the tenant's signing key (the same keys that sign
 * policy bundles, so an agent trusts both through one rotation chain). The agent verifies the
 * manifest signature, then that the downloaded artifact matches its sha256 and size, before it
 * activates anything.
 */
export const MANIFEST_API_VERSION = 'meridian.dev/model-manifest/v1' as const;

const CATEGORY = /^[a-z][a-z0-9_]{1,62}$/;
const TENSOR_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]{0,127}$/;

export const tensorSpecSchema = z
  .object({
    name: z.string().regex(TENSOR_NAME, 'tensor names are identifiers'),
    type: z.enum(['float32', 'int64', 'int32', 'uint8', 'bool']),
    /** -1 marks a dynamic dimension (batch). */
    shape: z.array(z.number().int().min(-1).max(1_000_000)).min(1).max(8),
    description: z.string().max(500).optional(),
  })
  .strict();
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

/** A model card: what the model is for and what data it consumes; governance checks the categories. */
export const modelCardSchema = z
  .object({
    task: z.enum(['predictive_maintenance', 'process_optimisation', 'visual_inspection', 'other']),
    intendedUse: z.string().min(1).max(4000),
    limitations: z.string().max(4000).optional(),
    /** Governance data categories the model reads; the first is the category an inference request is checked against. */
    inputCategories: z.array(z.string().regex(CATEGORY, 'categories are lower_snake_case')).min(1).max(10),
    /** Category its outputs belong to (usually model_outputs). */
    outputCategory: z.string().regex(CATEGORY).default('model_outputs'),
    inputs: z.array(tensorSpecSchema).min(1).max(16),
    outputs: z.array(tensorSpecSchema).min(1).max(16),
    trainingData: z.object({ summary: z.string().min(1).max(4000), sources: z.array(z.string().max(500)).max(50).optional() }).strict(),
    evaluation: z.record(z.string().max(100), z.number()).default({}),
    exportClassification: z.string().min(1).max(200),
  })
  .strict();
export type ModelCard = z.infer<typeof modelCardSchema>;

export interface ModelManifest {
  apiVersion: typeof MANIFEST_API_VERSION;
  tenantId: string;
  modelId: string;
  name: string;
  version: string;
  artifact: { sha256: string; size: number; format: 'onnx' };
  card: ModelCard;
  publishedAt: string;
}

const manifestSchema = z
  .object({
    apiVersion: z.literal(MANIFEST_API_VERSION),
    tenantId: z.string().min(1),
    modelId: z.string().min(1),
    name: z.string().min(1).max(100),
    version: z.string().refine(isSemver, 'must be a semantic version'),
    artifact: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(1), format: z.literal('onnx') }).strict(),
    card: modelCardSchema,
    publishedAt: z.string(),
  })
  .strict();

export function encodeManifest(manifest: ModelManifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

export interface SignedManifest {
  manifest: Buffer;
  keyId: string;
  signature: Buffer;
  digest: string;
}

export function signManifest(manifest: ModelManifest, keyId: string, privateKey: KeyObject): SignedManifest {
  const bytes = encodeManifest(manifest);
  return { manifest: bytes, keyId, signature: signEd25519(privateKey, bytes), digest: sha256Hex(bytes) };
}

export type ManifestVerification = { ok: true; manifest: ModelManifest } | { ok: false; reason: string };

/**
 * What an agent checks before it downloads or activates a model: signed by a key it trusts, well
 * formed, for its tenant, and the version and digest it was told to run.
 */
export function verifyManifest(
  signed: { manifest: Uint8Array; keyId: string; signature: Uint8Array },
  trustedKeys: ReadonlyMap<string, Uint8Array>,
  expect: { tenantId: string; modelId?: string; version?: string; artifactSha256?: string },
): ManifestVerification {
  const key = trustedKeys.get(signed.keyId);
  if (!key) return { ok: false, reason: `manifest signed by unknown key ${signed.keyId}` };
  if (!verifyEd25519(key, signed.manifest, signed.signature)) return { ok: false, reason: 'manifest signature does not verify' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(signed.manifest).toString('utf8'));
  } catch {
    return { ok: false, reason: 'manifest is not JSON' };
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) return { ok: false, reason: `manifest is malformed: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}` };
  const manifest = result.data as ModelManifest;
  if (manifest.tenantId !== expect.tenantId) return { ok: false, reason: 'manifest is for another tenant' };
  if (expect.modelId !== undefined && manifest.modelId !== expect.modelId) return { ok: false, reason: 'manifest is for another model' };
  if (expect.version !== undefined && manifest.version !== expect.version) return { ok: false, reason: 'manifest is for another version' };
  if (expect.artifactSha256 !== undefined && manifest.artifact.sha256 !== expect.artifactSha256) return { ok: false, reason: 'manifest names another artifact' };
  return { ok: true, manifest };
}
