import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from '../../control-plane/test/harness';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'apps/cli/dist/main.js');
const SHIPPED = path.join(ROOT, 'models/pump-anomaly');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI, as a pipeline runs it: its own process, credentials in the environment. */
function cli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

describe('meridian models push', () => {
  let h: Harness;
  let artifactDir: string;
  let env: Record<string, string>;
  const push = (version: string, dir: string, ...extra: string[]) =>
    cli(['models', 'push', '--model', 'pump-anomaly', '--version', version, '--card', path.join(dir, 'card.json'), '--artifact', path.join(dir, 'model.onnx'), ...extra], env);

  beforeAll(async () => {
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-cli-artifacts-'));
    h = await startHarness('cli-push', { ARTIFACT_DIR: artifactDir });
    const key = await call(h, 'POST', '/v1/api-keys', { token: await h.token('a', Role.vendor_admin), body: { name: 'release-pipeline', role: Role.vendor_engineer } });
    expect(key.status).toBe(201);
    env = { MERIDIAN_URL: h.baseUrl, MERIDIAN_API_KEY: key.body.key as string };
  });
  afterAll(async () => {
    await h?.close();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  it('registers a draft, then publishes it; run again it changes nothing', async () => {
    const draft = await push('1.1.0', path.join(SHIPPED, '1.1.0'), '--description', 'Scores pump vibration');
    expect(draft, draft.stderr).toMatchObject({ code: 0 });
    expect(draft.stdout).toMatch(/^created model pump-anomaly\n/);
    const artifactSha = await sha256(path.join(SHIPPED, '1.1.0/model.onnx'));
    expect(draft.stdout).toContain(`uploaded the artifact: ${(await fs.stat(path.join(SHIPPED, '1.1.0/model.onnx'))).size} bytes, sha256 ${artifactSha}`);
    expect(draft.stdout).toMatch(/pump-anomaly 1\.1\.0 is a draft/);
    const models = (await call(h, 'GET', '/v1/models', { token: await h.token('a', Role.vendor_engineer) })).body.items as { id: string; name: string; description: string }[];
    const model = models.find((m) => m.name === 'pump-anomaly')!;
    expect(model.description).toBe('Scores pump vibration');
    const version = `/v1/models/${model.id}/versions/1.1.0`;
    expect((await call(h, 'GET', version, { token: await h.token('a', Role.vendor_engineer) })).body).toMatchObject({ status: 'draft', artifact: { sha256: artifactSha } });

    const published = await push('1.1.0', path.join(SHIPPED, '1.1.0'), '--publish');
    expect(published, published.stderr).toMatchObject({ code: 0 });
    expect(published.stdout).not.toMatch(/created model/);
    expect(published.stdout).toContain(`artifact already uploaded (sha256 ${artifactSha})`);
    expect(published.stdout).toContain('the model card of pump-anomaly 1.1.0 is already saved (draft)');
    const stored = (await call(h, 'GET', version, { token: await h.token('a', Role.vendor_engineer) })).body;
    expect(stored).toMatchObject({ status: 'published', artifact: { sha256: artifactSha } });
    expect(published.stdout).toContain(`published pump-anomaly 1.1.0: manifest ${stored.manifestDigest} signed by ${stored.keyId}`);

    const again = await push('1.1.0', path.join(SHIPPED, '1.1.0'), '--publish');
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/already published with this artifact .*; nothing to do/);
    // Three runs, one card saved, one upload and one publication on the record.
    const recorded = async (type: string) =>
      ((await call(h, 'GET', `/v1/audit/events?type=${type}`, { token: await h.token('a', Role.auditor) })).body.items as { event: { data: { modelId: string; version: string } } }[]).filter((e) => e.event.data.modelId === model.id && e.event.data.version === '1.1.0').length;
    expect(await recorded('admin.model.version_saved')).toBe(1);
    expect(await recorded('admin.model.artifact_uploaded')).toBe(1);
    expect(await recorded('admin.model.published')).toBe(1);
  });

  it('refuses other bytes for a published version, and names what the control plane refused in a card', async () => {
    const other = await push('1.1.0', path.join(SHIPPED, '1.0.0'));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/pump-anomaly 1\.1\.0 is already published with another artifact .*push a new version/);

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-card-'));
    const card = JSON.parse(await fs.readFile(path.join(SHIPPED, '1.1.0/card.json'), 'utf8')) as Record<string, unknown>;
    delete card.task;
    await fs.writeFile(path.join(dir, 'card.json'), JSON.stringify(card));
    await fs.copyFile(path.join(SHIPPED, '1.1.0/model.onnx'), path.join(dir, 'model.onnx'));
    const bad = await push('1.2.0', dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/PUT \/v1\/models\/[0-9a-f-]+\/versions\/1\.2\.0 answered 400: .*\n {2}card\.task: /);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('says what is wrong with the command, the credentials or the address, with exit codes 2 and 1', async () => {
    const usage = await cli(['models', 'push', '--model', 'x'], env);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing --version, --card, --artifact/) });
    const flag = await cli(['models', 'push', '--api-key', 'mk_x'], env);
    expect(flag).toMatchObject({ code: 2, stderr: expect.stringMatching(/--api-key is not accepted: set MERIDIAN_API_KEY/) });
    const noKey = await cli(['models', 'push', '--model', 'm', '--version', '1.0.0', '--card', 'c', '--artifact', 'a'], { MERIDIAN_URL: h.baseUrl });
    expect(noKey).toMatchObject({ code: 2, stderr: expect.stringMatching(/no credentials: set MERIDIAN_API_KEY/) });
    const noFile = await cli(['models', 'push', '--model', 'm', '--version', '1.0.0', '--card', path.join(SHIPPED, '1.1.0/card.json'), '--artifact', '/nonexistent.onnx'], env);
    expect(noFile).toMatchObject({ code: 2, stderr: expect.stringMatching(/--artifact \/nonexistent\.onnx: no such file/) });

    const auditorKey = (await call(h, 'POST', '/v1/api-keys', { token: await h.token('a', Role.vendor_admin), body: { name: 'reports', role: Role.auditor } })).body.key as string;
    const auditor = await cli(['models', 'push', '--model', 'pump-anomaly', '--version', '1.4.0', '--card', path.join(SHIPPED, '1.1.0/card.json'), '--artifact', path.join(SHIPPED, '1.1.0/model.onnx')], { ...env, MERIDIAN_API_KEY: auditorKey });
    expect(auditor.code).toBe(1);
    expect(auditor.stderr).toMatch(/answered 403: .*the key acts in a role that may not do this/);
    const revoked = await cli(['models', 'push', '--model', 'pump-anomaly', '--version', '1.4.0', '--card', path.join(SHIPPED, '1.1.0/card.json'), '--artifact', path.join(SHIPPED, '1.1.0/model.onnx')], { ...env, MERIDIAN_API_KEY: 'mk_not-a-key' });
    expect(revoked).toMatchObject({ code: 1, stderr: expect.stringMatching(/answered 401: .*is MERIDIAN_API_KEY a valid, unrevoked key/) });

    // A port nothing listens on (taken, then given back).
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const unreachable = await cli(['models', 'push', '--model', 'pump-anomaly', '--version', '1.4.0', '--card', path.join(SHIPPED, '1.1.0/card.json'), '--artifact', path.join(SHIPPED, '1.1.0/model.onnx'), '--url', `http://127.0.0.1:${closed}`], env);
    expect(unreachable).toMatchObject({ code: 1, stderr: expect.stringContaining(`cannot reach the control plane at http://127.0.0.1:${closed} (ECONNREFUSED)`) });
  });

  it("npm start's demo: publishes the shipped models the tenant lacks with the CLI and a key it revokes after; a second start publishes nothing", async () => {
    // @ts-expect-error: a plain ES module of the scripts, without type declarations
    const { demoSession } = (await import('../../../scripts/lib/demo.mjs')) as { demoSession(baseUrl: string): Promise<{ publishShippedModels(root: string): Promise<string[]> }> };
    const session = await demoSession(h.baseUrl);
    // pump-anomaly 1.1.0 was published by the first test of this file, with the same bytes.
    expect(await session.publishShippedModels(ROOT)).toEqual(['pump-anomaly 1.0.0', 'inspection-classifier 1.0.0']);
    expect(await session.publishShippedModels(ROOT)).toEqual([]);
    const token = await h.token('a', Role.vendor_admin);
    const models = (await call(h, 'GET', '/v1/models', { token })).body.items as { name: string; latestPublished: string | null }[];
    expect(Object.fromEntries(models.map((m) => [m.name, m.latestPublished]))).toEqual({ 'pump-anomaly': '1.1.0', 'inspection-classifier': '1.0.0' });
    const keys = (await call(h, 'GET', '/v1/api-keys', { token })).body.items as { name: string; revokedAt: string | null }[];
    const publisher = keys.filter((k) => k.name === 'demo model publisher');
    expect(publisher).toHaveLength(1);
    expect(publisher[0]!.revokedAt).not.toBeNull();
  });
});
