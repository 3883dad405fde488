import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status as GrpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { verifyManifest } from '@meridian/models';
import type { DesiredState } from '@meridian/protocol';
import { grpcError, TestAgent } from './agent-client';
import { call, startHarness, type Harness } from './harness';
import { publishVersion } from './registry';
import { until } from './until';

function nextMessage<T>(stream: ClientReadableStream<T>, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    stream.once('data', (message: T) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
}

describe('model delivery over gRPC: desired state, FetchArtifact, ReportModelState', () => {
  let h: Harness;
  let artifactDir: string;
  let agent: TestAgent;
  let other: TestAgent;
  let modelId: string;
  const artifact = randomBytes(300 * 1024 + 123);
  const sha256 = createHash('sha256').update(artifact).digest('hex');

  const enroll = async (a: TestAgent, country: string) => {
    const token = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds[country] } });
    await a.enroll(token.body.token);
  };

  beforeAll(async () => {
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-artifacts-'));
    h = await startHarness('model-delivery', { ARTIFACT_DIR: artifactDir });
    agent = new TestAgent(h.grpcTarget);
    other = new TestAgent(h.grpcTarget);
    await enroll(agent, 'ID');
    await enroll(other, 'CL');
    modelId = await publishVersion(h, 'pump-anomaly', '1.0.0', artifact);
  });
  afterAll(async () => {
    agent?.close();
    other?.close();
    await h?.close();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  it('refuses a version that is not desired for the node, or does not exist', async () => {
    const denied = await grpcError(agent.download(modelId, '1.0.0'));
    expect(denied.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(denied.details).toMatch(/not in this node's desired state/);
    const missing = await grpcError(agent.download(modelId, '7.0.0'));
    expect(missing.code).toBe(GrpcStatus.NOT_FOUND);
    const malformed = await grpcError(agent.download('not-a-uuid', '1.0.0'));
    expect(malformed.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(malformed.details).toMatch(/^modelId:/);
  });

  it('pushes the desired state with the signed manifest, immediately on change', async () => {
    const stream = agent.watchDesiredState();
    stream.on('error', () => undefined); // cancelled at the end
    const initial = await nextMessage(stream);
    expect(initial).toEqual({ revision: 0, models: [] });
    // Desired state changes the way a rollout or a rollback changes it: in the database, then an announcement.
    await h.owner.nodeModel.create({ data: { tenantId: h.tenants.a.id, nodeId: agent.nodeId, modelId, desiredVersion: '1.0.0' } });
    await h.owner.edgeNode.update({ where: { id: agent.nodeId }, data: { desiredRevision: { increment: 1 } } });
    const { NodeEventsService } = await import('../src/agents/node-events.service.js');
    const started = Date.now();
    await h.app.get(NodeEventsService).publishDesiredState(h.tenants.a.id, [agent.nodeId]);
    const pushed: DesiredState = await nextMessage(stream);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pushed.revision).toBe(1);
    expect(pushed.models).toHaveLength(1);
    const model = pushed.models[0]!;
    expect(model).toMatchObject({ modelId, name: 'pump-anomaly', version: '1.0.0', artifactSha256: sha256, artifactSize: artifact.length });
    const keys = await h.owner.tenantSigningKey.findMany({ where: { tenantId: h.tenants.a.id } });
    const verified = verifyManifest(model, new Map(keys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'base64')])), { tenantId: h.tenants.a.id, modelId, version: '1.0.0', artifactSha256: sha256 });
    expect(verified.ok).toBe(true);
    stream.cancel();
    // another node of the tenant still may not fetch it; a node of another tenant does not even see it
    expect((await grpcError(other.download(modelId, '1.0.0'))).code).toBe(GrpcStatus.PERMISSION_DENIED);
    const outsider = new TestAgent(h.grpcTarget);
    const tokenOfB = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('b', Role.vendor_admin), body: { siteId: h.tenants.b.siteIds.DE } });
    await outsider.enroll(tokenOfB.body.token);
    expect((await grpcError(outsider.download(modelId, '1.0.0'))).code).toBe(GrpcStatus.NOT_FOUND);
    expect((await grpcError(outsider.reportModelState({ modelId, version: '1.0.0', state: 'active' }))).code).toBe(GrpcStatus.FAILED_PRECONDITION);
    outsider.close();
  });

  it('streams the artifact in 64 KiB chunks and resumes a broken download from its offset', async () => {
    const first = await agent.download(modelId, '1.0.0', { stopAfterBytes: 100 * 1024 });
    expect(first.cancelled).toBe(true);
    expect(first.data.length).toBeGreaterThanOrEqual(100 * 1024);
    expect(first.data.length).toBeLessThan(artifact.length);
    expect(first.chunks[0]).toMatchObject({ offset: 0, totalSize: artifact.length });
    expect(first.chunks[0]!.data.length).toBe(64 * 1024);
    const rest = await agent.download(modelId, '1.0.0', { offset: first.data.length });
    expect(rest.cancelled).toBe(false);
    expect(rest.chunks[0]!.offset).toBe(first.data.length);
    const whole = Buffer.concat([first.data, rest.data]);
    expect(whole.length).toBe(artifact.length);
    expect(createHash('sha256').update(whole).digest('hex')).toBe(sha256);
    // at the end: nothing more, no error; beyond it: OUT_OF_RANGE
    expect((await agent.download(modelId, '1.0.0', { offset: artifact.length })).data.length).toBe(0);
    const beyond = await grpcError(agent.download(modelId, '1.0.0', { offset: artifact.length + 1 }));
    expect(beyond.code).toBe(GrpcStatus.OUT_OF_RANGE);
    expect(beyond.details).toMatch(/beyond the end of the artifact/);
  });

  it('keeps up with a slow reader without buffering the artifact (backpressure)', async () => {
    const stream = agent.fetchArtifact(modelId, '1.0.0');
    stream.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    stream.resume();
    const parts: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: { data: Buffer }) => parts.push(chunk.data));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(createHash('sha256').update(Buffer.concat(parts)).digest('hex')).toBe(sha256);
  });

  it('records reported states per node, refusing impossible moves, unknown states and other versions', async () => {
    for (const state of ['downloading', 'downloading', 'verifying', 'activating', 'active']) await agent.reportModelState({ modelId, version: '1.0.0', state });
    const stored = await h.owner.nodeModel.findFirstOrThrow({ where: { nodeId: agent.nodeId, modelId } });
    expect(stored).toMatchObject({ state: 'active', reportedAt: expect.any(Date) });
    const backwards = await grpcError(agent.reportModelState({ modelId, version: '1.0.0', state: 'downloading' }));
    expect(backwards.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(backwards.details).toBe('cannot move from active to downloading');
    const unknown = await grpcError(agent.reportModelState({ modelId, version: '1.0.0', state: 'exploded' }));
    expect(unknown.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(unknown.details).toMatch(/^state: must be one of pending/);
    const otherVersion = await grpcError(agent.reportModelState({ modelId, version: '0.9.0', state: 'active' }));
    expect(otherVersion.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(otherVersion.details).toMatch(/not the desired version .* \(desired: 1\.0\.0\)/);
    const notDesired = await grpcError(other.reportModelState({ modelId, version: '1.0.0', state: 'active' }));
    expect(notDesired.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    const tooLong = await grpcError(agent.reportModelState({ modelId, version: '1.0.0', state: 'failed', detail: 'x'.repeat(5000) }));
    expect(tooLong.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((await h.owner.nodeModel.findFirstOrThrow({ where: { nodeId: agent.nodeId, modelId } })).state).toBe('active');
    const metrics = await call(h, 'GET', '/metrics');
    expect(metrics.body).toMatch(/meridian_model_state_reports_total\{state="active"\} 1/);
  });

  it("ends a revoked node's download at once instead of streaming it the rest of the artifact", async () => {
    // Large enough that a paused reader leaves most of it unsent (flow control and both sides' buffers hold a few MiB at most).
    const large = randomBytes(24 * 1024 * 1024);
    const largeModelId = await publishVersion(h, 'inspection-classifier', '1.0.0', large);
    const doomed = new TestAgent(h.grpcTarget);
    await enroll(doomed, 'ID');
    await h.owner.nodeModel.create({ data: { tenantId: h.tenants.a.id, nodeId: doomed.nodeId, modelId: largeModelId, desiredVersion: '1.0.0' } });
    const stream = doomed.fetchArtifact(largeModelId, '1.0.0');
    let received = 0;
    let slowed = false;
    const outcome = new Promise<{ ended: 'end' } | { ended: 'error'; code: number; details: string }>((resolve) => {
      stream.on('data', (chunk: { data: Buffer }) => {
        received += chunk.data.length;
        if (received >= 1024 * 1024 && !slowed) {
          slowed = true; // a reader that stalls 1 MiB in
          stream.pause();
        }
      });
      stream.on('end', () => resolve({ ended: 'end' }));
      stream.on('error', (error: { code: number; details: string }) => resolve({ ended: 'error', code: error.code, details: error.details }));
    });
    await until('the first MiB', async () => received >= 1024 * 1024, 10_000);
    const metrics = await call(h, 'GET', '/metrics');
    expect(metrics.body).toMatch(/meridian_agent_streams\{stream="artifact"\} 1/);

    const revoke = await call(h, 'POST', `/v1/nodes/${doomed.nodeId}/revoke`, { token: await h.token('a', Role.vendor_admin) });
    expect(revoke.status).toBe(200);
    // The cut arrives through Redis pub/sub; then the reader reads on as fast as it can.
    await until('the download to be let go', async () => /meridian_agent_streams\{stream="artifact"\} 0/.test((await call(h, 'GET', '/metrics')).body), 5_000);
    stream.resume();
    const result = await outcome;
    expect(result).toMatchObject({ ended: 'error', code: GrpcStatus.PERMISSION_DENIED, details: 'node has been revoked' });
    expect(received).toBeLessThan(large.length / 2);
    // and a new download is refused outright
    expect((await grpcError(doomed.download(largeModelId, '1.0.0'))).code).toBe(GrpcStatus.PERMISSION_DENIED);
    doomed.close();
  });
});
