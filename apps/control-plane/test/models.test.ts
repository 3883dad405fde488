import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { verifyManifest } from '@meridian/models';
import { call, startHarness, type Harness } from './harness';
import { testCard, uploadArtifact } from './registry';

const MAX_BYTES = 4 * 1024 * 1024;

async function filesUnder(dir: string): Promise<{ file: string; size: number }[]> {
  const out: { file: string; size: number }[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ file, size: (await fs.stat(file)).size });
  }
  return out;
}

describe('model registry', () => {
  let h: Harness;
  let artifactDir: string;
  let engineer: string;
  let modelId: string;

  beforeAll(async () => {
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-artifacts-'));
    h = await startHarness('models', { ARTIFACT_DIR: artifactDir, ARTIFACT_MAX_BYTES: String(MAX_BYTES) });
    engineer = await h.token('a', Role.vendor_engineer);
  });
  afterAll(async () => {
    await h?.close();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  it('creates models and draft versions; card problems are named by path; categories are checked against governance', async () => {
    const created = await call(h, 'POST', '/v1/models', { token: engineer, body: { name: 'pump-anomaly', description: 'pumps' } });
    expect(created.status).toBe(201);
    modelId = created.body.id;
    expect((await call(h, 'POST', '/v1/models', { token: engineer, body: { name: 'pump-anomaly' } })).status).toBe(409);
    expect((await call(h, 'POST', '/v1/models', { token: engineer, body: { name: '../etc' } })).body.errors[0].path).toBe('name');

    const broken = await call(h, 'PUT', `/v1/models/${modelId}/versions/1.0.0`, {
      token: engineer,
      body: { card: { ...testCard(), intendedUse: undefined, inputs: [{ name: 'features', type: 'float64', shape: [-1, 4] }] } },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('invalid-model-card');
    expect(broken.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['card.inputs[0].type', 'card.intendedUse']);

    const unknownCategory = await call(h, 'PUT', `/v1/models/${modelId}/versions/1.0.0`, {
      token: engineer,
      body: { card: testCard({ inputCategories: ['equipment_telemetry', 'vibration_spectra'] }) },
    });
    expect(unknownCategory.status).toBe(400);
    expect(unknownCategory.body.errors).toEqual([{ path: 'card.inputCategories[1]', message: expect.stringMatching(/unknown data category vibration_spectra; known: .*equipment_telemetry/) }]);

    // A custom category of the base policy makes it known.
    await h.owner.policyVersion.create({
      data: { tenantId: h.tenants.a.id, scope: 'base', version: 99, document: { apiVersion: 'meridian.dev/v1', kind: 'BasePolicy', customCategories: [{ name: 'vibration_spectra' }], categories: {} } },
    });
    const saved = await call(h, 'PUT', `/v1/models/${modelId}/versions/1.0.0`, { token: engineer, body: { card: testCard({ inputCategories: ['equipment_telemetry', 'vibration_spectra'] }) } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: '1.0.0', status: 'draft', artifact: null, card: { inputCategories: ['equipment_telemetry', 'vibration_spectra'] } });

    const badVersion = await call(h, 'PUT', `/v1/models/${modelId}/versions/v1`, { token: engineer, body: { card: testCard() } });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.errors[0].path).toBe('version');

    // read-only roles read, never write
    expect((await call(h, 'GET', `/v1/models/${modelId}`, { token: await h.token('a', Role.integrator_viewer) })).status).toBe(200);
    expect((await call(h, 'PUT', `/v1/models/${modelId}/versions/1.0.1`, { token: await h.token('a', Role.auditor), body: { card: testCard() } })).status).toBe(403);
    expect((await call(h, 'POST', '/v1/models', { token: await h.token('a', Role.integrator_admin), body: { name: 'x' } })).status).toBe(403);
  });

  it('streams the artifact to the store while hashing it (never buffered whole)', async () => {
    const total = 3 * 1024 * 1024;
    const bytes = randomBytes(total);
    const half = total / 2;
    let release!: () => void;
    const halfway = new Promise<void>((resolve) => (release = resolve));
    let sentHalf!: () => void;
    const reachedHalf = new Promise<void>((resolve) => (sentHalf = resolve));
    let position = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (position === half) {
          sentHalf();
          await halfway;
        }
        if (position >= total) return controller.close();
        controller.enqueue(bytes.subarray(position, position + 64 * 1024));
        position += 64 * 1024;
      },
    });
    const upload = uploadArtifact(h.baseUrl, engineer, modelId, '1.0.0', body);
    await reachedHalf;
    // Half the body is sent and the request is still open: the bytes are already on disk, in a partial file.
    let partial: { file: string; size: number } | undefined;
    for (let attempt = 0; attempt < 50 && !partial?.size; attempt += 1) {
      partial = (await filesUnder(artifactDir)).find((f) => f.file.endsWith('.partial'));
      if (!partial?.size) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(partial!.size).toBeGreaterThan(0);
    expect(partial!.size).toBeLessThanOrEqual(half);
    release();
    const response = await upload;
    expect(response.status).toBe(200);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(response.body.artifact).toEqual({ sha256, size: total });
    const stored = (await filesUnder(artifactDir)).filter((f) => !f.file.endsWith('.partial'));
    expect(stored).toHaveLength(1);
    expect(createHash('sha256').update(await fs.readFile(stored[0]!.file)).digest('hex')).toBe(sha256);
    expect(stored[0]!.file.startsWith(path.join(artifactDir, h.tenants.a.id))).toBe(true);
  });

  it('refuses wrong media types, digests that do not match and oversized artifacts, keeping what was stored', async () => {
    const before = (await call(h, 'GET', `/v1/models/${modelId}/versions/1.0.0`, { token: engineer })).body.artifact;
    const json = await call(h, 'PUT', `/v1/models/${modelId}/versions/1.0.0/artifact`, { token: engineer, body: { not: 'an artifact' } });
    expect(json.status).toBe(415);
    expect(json.contentType).toMatch(/problem\+json/);
    const mismatch = await uploadArtifact(h.baseUrl, engineer, modelId, '1.0.0', randomBytes(1000), { 'x-artifact-sha256': 'a'.repeat(64) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('digest-mismatch');
    const tooLarge = await uploadArtifact(h.baseUrl, engineer, modelId, '1.0.0', randomBytes(MAX_BYTES + 1));
    expect(tooLarge.status).toBe(413);
    const empty = await uploadArtifact(h.baseUrl, engineer, modelId, '1.0.0', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect((await call(h, 'GET', `/v1/models/${modelId}/versions/1.0.0`, { token: engineer })).body.artifact).toEqual(before);
    expect((await filesUnder(artifactDir)).filter((f) => f.file.endsWith('.partial'))).toEqual([]);
    expect(await filesUnder(artifactDir)).toHaveLength(1);
    const missing = await uploadArtifact(h.baseUrl, engineer, modelId, '9.9.9', randomBytes(10));
    expect(missing.status).toBe(404);
  });

  it('publishes a manifest signed by the tenant key; a published version never changes', async () => {
    const draftOnly = await call(h, 'PUT', `/v1/models/${modelId}/versions/2.0.0-rc.1`, { token: engineer, body: { card: testCard() } });
    expect(draftOnly.status).toBe(200);
    const noArtifact = await call(h, 'POST', `/v1/models/${modelId}/versions/2.0.0-rc.1/publish`, { token: engineer });
    expect(noArtifact.status).toBe(409);
    expect(noArtifact.body.code).toBe('artifact-missing');

    const published = await call(h, 'POST', `/v1/models/${modelId}/versions/1.0.0/publish`, { token: engineer });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', keyId: expect.stringMatching(/^tsk_/), publishedAt: expect.any(String) });

    const row = await h.owner.modelVersion.findFirstOrThrow({ where: { modelId, version: '1.0.0' } });
    const keys = await h.owner.tenantSigningKey.findMany({ where: { tenantId: h.tenants.a.id } });
    const verified = verifyManifest(
      { manifest: Buffer.from(row.manifest!, 'utf8'), keyId: row.keyId!, signature: Buffer.from(row.signature!, 'base64') },
      new Map(keys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'base64')])),
      { tenantId: h.tenants.a.id, modelId, version: '1.0.0', artifactSha256: row.artifactSha256! },
    );
    expect(verified).toMatchObject({ ok: true, manifest: { name: 'pump-anomaly', artifact: { size: 3 * 1024 * 1024, format: 'onnx' } } });

    const again = await call(h, 'PUT', `/v1/models/${modelId}/versions/1.0.0`, { token: engineer, body: { card: testCard() } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('version-published');
    expect((await uploadArtifact(h.baseUrl, engineer, modelId, '1.0.0', randomBytes(10))).status).toBe(409);
    expect((await call(h, 'POST', `/v1/models/${modelId}/versions/1.0.0/publish`, { token: engineer })).status).toBe(409);
    // ...and the database itself refuses, whatever the application does
    await expect(h.owner.modelVersion.update({ where: { id: row.id }, data: { artifactSha256: 'b'.repeat(64) } })).rejects.toThrow(/immutable/);
    await expect(h.owner.modelVersion.delete({ where: { id: row.id } })).rejects.toThrow(/immutable/);

    const list = await call(h, 'GET', '/v1/models', { token: await h.token('a', Role.auditor) });
    expect(list.body.items).toEqual([expect.objectContaining({ id: modelId, name: 'pump-anomaly', latestPublished: '1.0.0' })]);
    const detail = await call(h, 'GET', `/v1/models/${modelId}`, { token: engineer });
    expect(detail.body.versions.map((v: { version: string; status: string }) => `${v.version}:${v.status}`)).toEqual(['2.0.0-rc.1:draft', '1.0.0:published']);

    const audit = await h.owner.auditEvent.findMany({ where: { tenantId: h.tenants.a.id, type: { startsWith: 'admin.model.' } }, orderBy: { seq: 'asc' } });
    expect(new Set(audit.map((e) => e.type))).toEqual(new Set(['admin.model.created', 'admin.model.version_saved', 'admin.model.artifact_uploaded', 'admin.model.published']));
    expect(audit.find((e) => e.type === 'admin.model.published')!.body).toContain(row.artifactSha256!);
  });

  it('documents the registry in OpenAPI', async () => {
    const doc = (await call(h, 'GET', '/openapi.json')).body;
    expect(doc.paths['/v1/models/{id}/versions/{version}/artifact'].put.requestBody.content).toHaveProperty('application/octet-stream');
    expect(doc.paths['/v1/rollouts/{id}'].get.responses['200'].content['application/json'].schema.$ref).toMatch(/RolloutProgressView/);
  });
});
