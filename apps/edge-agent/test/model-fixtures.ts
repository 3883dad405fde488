import { createHash, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signManifest, type ModelCard, type ModelManifest } from '@meridian/models';
import type { DesiredModel } from '@meridian/protocol';
import { expect } from 'vitest';
import type { TestStack } from './stack';

/** The repository's generated models (models/, written by tools/onnx-models). */
export const MODELS_DIR = path.resolve(__dirname, '../../../models');

export interface Sample {
  name: string;
  input: Record<string, unknown>;
  expect: { output: string; index: number; above?: number; below?: number };
}

export function modelFiles(name: string, version: string): { artifact: Buffer; card: ModelCard } {
  return {
    artifact: readFileSync(path.join(MODELS_DIR, name, version, 'model.onnx')),
    card: JSON.parse(readFileSync(path.join(MODELS_DIR, name, version, 'card.json'), 'utf8')) as ModelCard,
  };
}

/**
 * Registers a version of a generated model through the registry API, as a vendor engineer would:
 * its card, its artifact streamed with the sha256 the server checks, then publish. `files` picks the
 * generated directory (any semver can carry the broken artifact, or a build of another version).
 */
export async function publishGeneratedVersion(stack: TestStack, modelId: string, name: string, version: string, files = version): Promise<void> {
  const { artifact, card } = modelFiles(name, files);
  expect((await stack.api('PUT', `/v1/models/${modelId}/versions/${version}`, { card })).status).toBe(200);
  const index = JSON.parse(readFileSync(path.join(MODELS_DIR, 'index.json'), 'utf8')) as { name: string; version: string; sha256: string }[];
  const uploaded = await fetch(`http://127.0.0.1:${stack.httpPort}/v1/models/${modelId}/versions/${version}/artifact`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await stack.login('vendor.engineer@demo-vendor.example')}`,
      'content-type': 'application/octet-stream',
      'x-artifact-sha256': index.find((e) => e.name === name && e.version === files)!.sha256,
    },
    body: artifact,
  });
  expect(uploaded.status, await uploaded.clone().text()).toBe(200);
  expect((await stack.api('POST', `/v1/models/${modelId}/versions/${version}/publish`)).status).toBe(200);
}

export function samples(name: string): Record<string, Sample> {
  const list = JSON.parse(readFileSync(path.join(MODELS_DIR, name, 'samples.json'), 'utf8')) as Sample[];
  return Object.fromEntries(list.map((s) => [s.name, s]));
}

export interface PublishedVersion {
  desired: DesiredModel;
  artifact: Buffer;
  manifest: ModelManifest;
}

/**
 * A model version as the control plane would publish it: the artifact, a manifest signed with the
 * tenant key, and the DesiredModel entry naming it. `files` picks the generated directory (the
 * broken artifact can be published under any semver).
 */
export function publish(options: {
  tenantId: string;
  modelId: string;
  name: string;
  version: string;
  files?: string;
  keyId: string;
  key: KeyObject;
  rolloutId?: string;
}): PublishedVersion {
  const { artifact, card } = modelFiles(options.name, options.files ?? options.version);
  const manifest: ModelManifest = {
    apiVersion: 'meridian.dev/model-manifest/v1',
    tenantId: options.tenantId,
    modelId: options.modelId,
    name: options.name,
    version: options.version,
    artifact: { sha256: createHash('sha256').update(artifact).digest('hex'), size: artifact.length, format: 'onnx' },
    card,
    publishedAt: '2026-11-25T00:00:00.000Z',
  };
  const signed = signManifest(manifest, options.keyId, options.key);
  return {
    artifact,
    manifest,
    desired: {
      modelId: options.modelId,
      name: options.name,
      version: options.version,
      artifactSha256: manifest.artifact.sha256,
      artifactSize: artifact.length,
      keyId: options.keyId,
      signature: signed.signature,
      rolloutId: options.rolloutId ?? `ro-${options.version}`,
      manifest: signed.manifest,
    },
  };
}
