import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, GENESIS_HASH, recordHash, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { Role } from '@meridian/db';
import type { PolicyAck } from '@meridian/protocol';
import { grpcError, TestAgent } from './agent-client';
import { call, startHarness, startWorker, type Harness } from './harness';
import type { Spawned } from './processes';
import { publishVersion } from './registry';
import { SimAgent } from './sim-agent';
import { until } from './until';

/**
 * "Trust nothing from agents": a compromised or buggy gateway must not reach beyond its own node —
 * not other nodes', sites' or tenants' records, not the audit view of other sites, not the policy or
 * rollout state of other nodes, not unbounded resources, and it must not make the control plane
 * store something that breaks later readers. Some cases guard properties that held from the start;
 * the others reproduce holes a review found (each failed before its fix).
 */

/** How a call ended: 'ok' or the gRPC status name. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const code = (error as ServiceError).code;
    return typeof code === 'number' ? GrpcStatus[code]! : String(error);
  }
}

/** A record whose body is exactly `body` (not re-encoded): what a gateway can send. */
function rawRecord(previous: Pick<ChainRecord, 'seq' | 'hash'> | undefined, body: string): ChainRecord {
  const seq = previous ? previous.seq + 1 : 1;
  const prevHash = previous ? previous.hash : GENESIS_HASH;
  return { seq, prevHash, hash: recordHash(prevHash, seq, body), body };
}

function ackPolicy(agent: TestAgent, ack: PolicyAck): Promise<void> {
  return new Promise((resolve, reject) =>
    agent.client.ackPolicy(ack, agent.sign('AckPolicy'), { deadline: Date.now() + 10_000 }, (error) => (error ? reject(error) : resolve())),
  );
}

describe('agent trust boundary: a gateway affects nothing beyond its own node', () => {
  let h: Harness;
  let artifactDir: string;
  const agents: TestAgent[] = [];
  const now = () => new Date().toISOString();

  const enrolled = async (tenant: 'a' | 'b', country: string, labels?: Record<string, string>): Promise<TestAgent> => {
    const token = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token(tenant, Role.vendor_admin), body: { siteId: h.tenants[tenant].siteIds[country] } });
    expect(token.status).toBe(201);
    const agent = new TestAgent(h.grpcTarget);
    agents.push(agent);
    await agent.enroll(token.body.token, undefined, labels ? { labels } : {});
    return agent;
  };
  const siteOf = (country: 'ID' | 'CL') => h.tenants.a.siteIds[country]!;

  beforeAll(async () => {
    artifactDir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-artifacts-'));
    h = await startHarness('agent-trust', { ARTIFACT_DIR: artifactDir });
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    await h?.close();
    await fs.rm(artifactDir, { recursive: true, force: true });
  });

  describe('UploadAudit', () => {
    it('indexes a node\'s events under its own source, actor and site, whatever the body claims', async () => {
      // A gateway of the ID site claims, in the body, a person as actor and the CL site.
      const attacker = await enrolled('a', 'ID');
      const forged: AuditEvent = { at: now(), type: 'policy.decision', actor: `user:${randomUUID()}`, siteId: siteOf('CL'), category: 'inspection_images', decision: 'allow' };
      const record = appendRecord(undefined, forged);
      const result = await outcome(attacker.uploadAudit([record]));
      const rows = await h.owner.auditEvent.findMany({ where: { hash: record.hash } });
      if (result === 'ok') expect(rows).toHaveLength(1);
      else expect(rows).toHaveLength(0); // refusing the forged claims is fine too
      for (const row of rows) {
        expect(row).toMatchObject({ tenantId: h.tenants.a.id, sourceId: attacker.nodeId, actor: `node:${attacker.nodeId}`, siteId: siteOf('ID') });
      }
      // The CL integrator does not see it, under the CL site, the claimed actor or the control plane.
      const clIntegrator = await h.token('a', Role.integrator_viewer);
      const auditor = await h.token('a', Role.auditor);
      for (const [token, query] of [
        [clIntegrator, `siteId=${siteOf('CL')}`],
        [clIntegrator, ''],
        [auditor, `siteId=${siteOf('CL')}`],
        [auditor, `actor=${encodeURIComponent(forged.actor)}`],
        [auditor, 'sourceId=control-plane'],
      ] as const) {
        const page = await call(h, 'GET', `/v1/audit/events?limit=500&${query}`, { token });
        expect(page.status, query).toBe(200);
        expect(page.body.items.filter((item: { hash: string }) => item.hash === record.hash), query).toEqual([]);
      }
    });

    it('refuses an event whose body names an actor other than the node (e.g. user:…)', async () => {
      const agent = await enrolled('a', 'ID');
      const record = appendRecord(undefined, { at: now(), type: 'policy.decision', actor: `user:${randomUUID()}`, category: 'inspection_images', decision: 'allow' });
      // The export bundle (and the offline verifier's input) carries sourceId + body only: the body's actor is the only actor an auditor sees there.
      expect(await outcome(agent.uploadAudit([record]))).toBe('INVALID_ARGUMENT');
      expect(await h.owner.auditEvent.count({ where: { sourceId: agent.nodeId } })).toBe(0);
    });

    it('refuses an event whose body names a site other than the node\'s', async () => {
      const agent = await enrolled('a', 'ID');
      const record = appendRecord(undefined, { at: now(), type: 'policy.decision', actor: `node:${agent.nodeId}`, siteId: siteOf('CL'), category: 'inspection_images', decision: 'deny' });
      expect(await outcome(agent.uploadAudit([record]))).toBe('INVALID_ARGUMENT');
      expect(await h.owner.auditEvent.count({ where: { sourceId: agent.nodeId } })).toBe(0);
    });

    it('refuses control-plane event types (admin.*) from a node', async () => {
      const agent = await enrolled('a', 'ID');
      const record = appendRecord(undefined, { at: now(), type: 'admin.user.created', actor: `node:${agent.nodeId}`, data: { email: 'intruder@example.com', role: 'vendor_admin' } });
      expect(await outcome(agent.uploadAudit([record]))).toBe('INVALID_ARGUMENT');
      // Otherwise it is listed with the control plane's own admin.user.created events.
      const page = await call(h, 'GET', `/v1/audit/events?type=admin.user.created&limit=500`, { token: await h.token('a', Role.auditor) });
      expect(page.body.items.filter((item: { sourceId: string }) => item.sourceId === agent.nodeId)).toEqual([]);
    });

    it('refuses a body that is not the canonical JSON of an event (duplicate keys: readers disagree on the decision)', async () => {
      const agent = await enrolled('a', 'ID');
      // First-key-wins parsers read "deny"; the control plane indexed "allow" (JSON.parse keeps the last).
      const body = `{"actor":"node:${agent.nodeId}","at":"${now()}","category":"inspection_images","decision":"deny","decision":"allow","type":"policy.decision"}`;
      expect(await outcome(agent.uploadAudit([rawRecord(undefined, body)]))).toBe('INVALID_ARGUMENT');
      expect(await h.owner.auditEvent.count({ where: { sourceId: agent.nodeId } })).toBe(0);
    });

    it('an event nested 30,000 levels deep (60 kB, under the body limit) does not break the audit event pages', async () => {
      const agent = await enrolled('a', 'CL');
      const depth = 30_000;
      const body = `{"actor":"node:${agent.nodeId}","at":"${now()}","data":{"x":${'['.repeat(depth)}${']'.repeat(depth)}},"type":"model.inference"}`;
      expect(Buffer.byteLength(body)).toBeLessThan(64 * 1024);
      const record = rawRecord(undefined, body);
      const result = await outcome(agent.uploadAudit([record]));
      const stored = await h.owner.auditEvent.count({ where: { sourceId: agent.nodeId } });
      expect({ result, stored }).toSatisfy(({ result, stored }: { result: string; stored: number }) => (result === 'ok' ? stored === 1 : stored === 0));
      // Whatever ingest did, every reader of the log keeps working: the auditor's page of the tenant,
      // the CL integrator's page of its site, the event itself.
      const auditor = await h.token('a', Role.auditor);
      const clIntegrator = await h.token('a', Role.integrator_viewer);
      const reads = {
        tenantPage: (await call(h, 'GET', '/v1/audit/events?limit=20', { token: auditor })).status,
        sitePage: (await call(h, 'GET', `/v1/audit/events?siteId=${siteOf('CL')}&limit=20`, { token: clIntegrator })).status,
        event: stored ? (await call(h, 'GET', `/v1/audit/events/${agent.nodeId}/1`, { token: auditor })).status : 200,
      };
      expect(reads).toEqual({ tenantPage: 200, sitePage: 200, event: 200 });
    });
  });

  describe('policy acknowledgements', () => {
    let bundle: { version: number; digest: string };
    let victim: TestAgent;

    beforeAll(async () => {
      victim = await enrolled('a', 'CL');
      // A published bundle of the CL site, as the worker stores it (only its site, version and digest matter to acknowledgements).
      bundle = { version: 1, digest: randomBytes(32).toString('hex') };
      await h.owner.policyBundle.create({
        data: { tenantId: h.tenants.a.id, siteId: siteOf('CL'), version: bundle.version, digest: bundle.digest, contentDigest: bundle.digest, keyId: 'tsk_trust', payload: '{}', signature: 'x' },
      });
    });

    it('a node cannot record another site\'s or tenant\'s bundle as applied, nor touch another node\'s record', async () => {
      const otherSite = await enrolled('a', 'ID');
      const otherTenant = await enrolled('b', 'DE');
      for (const agent of [otherSite, otherTenant]) {
        const refused = await grpcError(ackPolicy(agent, { version: bundle.version, digest: bundle.digest, applied: true, error: '' }));
        expect(refused.code).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(await h.owner.edgeNode.findUniqueOrThrow({ where: { id: agent.nodeId }, select: { appliedPolicyVersion: true } })).toEqual({ appliedPolicyVersion: null });
        // a refusal is recorded on the sender only; lengths are bounded
        await ackPolicy(agent, { version: 1, digest: '', applied: false, error: 'nope' });
        expect((await grpcError(ackPolicy(agent, { version: 1, digest: '', applied: false, error: 'x'.repeat(501) }))).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      }
      expect(await h.owner.edgeNode.findUniqueOrThrow({ where: { id: victim.nodeId }, select: { appliedPolicyVersion: true, policyError: true } })).toEqual({ appliedPolicyVersion: null, policyError: null });
      await ackPolicy(victim, { version: bundle.version, digest: bundle.digest, applied: true, error: '' });
      expect(await h.owner.edgeNode.findUniqueOrThrow({ where: { id: victim.nodeId }, select: { appliedPolicyVersion: true } })).toEqual({ appliedPolicyVersion: bundle.version });
    });

    it('a malformed acknowledgement of one node (another tenant\'s) does not fail the acknowledgements batched with it', async () => {
      const attacker = await enrolled('b', 'DE');
      // Both pass the handler's checks (integer >= 0, digest <= 64 characters) and fail the batch's query.
      const poison: PolicyAck[] = [
        { version: 2 ** 31, digest: 'a'.repeat(64), applied: true, error: '' },
        { version: 1, digest: `a\u0000`, applied: true, error: '' },
      ];
      // Each round: the victim's (valid) acknowledgement amid the attacker's, all within the batcher's window.
      const victimResults: Record<string, string[]> = { 'version 2^31': [], 'digest with NUL': [] };
      for (let round = 0; round < 6; round += 1) {
        const [name, ack] = round % 2 === 0 ? (['version 2^31', poison[0]!] as const) : (['digest with NUL', poison[1]!] as const);
        const bad = () => Array.from({ length: 8 }, () => outcome(ackPolicy(attacker, ack)));
        const results = await Promise.all([...bad(), outcome(ackPolicy(victim, { version: bundle.version, digest: bundle.digest, applied: true, error: '' })), ...bad()]);
        victimResults[name]!.push(results[8]!);
      }
      expect(victimResults).toEqual({ 'version 2^31': ['ok', 'ok', 'ok'], 'digest with NUL': ['ok', 'ok', 'ok'] });
    });
  });

  describe('reports and artifacts', () => {
    let modelId: string;
    let owner: TestAgent;

    beforeAll(async () => {
      owner = await enrolled('a', 'ID');
      modelId = await publishVersion(h, 'trust-model', '1.0.0', randomBytes(70 * 1024));
      await h.owner.nodeModel.create({ data: { tenantId: h.tenants.a.id, nodeId: owner.nodeId, modelId, desiredVersion: '1.0.0' } });
    });

    it('FetchArtifact serves only the version desired for the calling node, never another node\'s or tenant\'s', async () => {
      const sameSite = await enrolled('a', 'ID');
      const otherTenant = await enrolled('b', 'DE');
      expect((await owner.download(modelId, '1.0.0')).data.length).toBe(70 * 1024);
      expect((await grpcError(sameSite.download(modelId, '1.0.0'))).code).toBe(GrpcStatus.PERMISSION_DENIED);
      expect((await grpcError(otherTenant.download(modelId, '1.0.0'))).code).toBe(GrpcStatus.NOT_FOUND);
    });

    it('heartbeats and model reports change only the calling node, with bounded fields', async () => {
      const attacker = await enrolled('a', 'ID');
      const before = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: owner.nodeId } });
      await attacker.heartbeat(undefined, { agentVersion: '6.6.6', models: [{ modelId, version: '1.0.0', state: 'active' }], inference: { requests: 10, errors: 0, denied: 0 } });
      const after = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: owner.nodeId } });
      expect({ lastSeenAt: after.lastSeenAt, agentVersion: after.agentVersion, reported: after.reported }).toEqual({ lastSeenAt: before.lastSeenAt, agentVersion: before.agentVersion, reported: before.reported });

      // the model is desired on `owner`, not on `attacker`: the report is refused and owner's row is untouched
      const refused = await grpcError(attacker.reportModelState({ modelId, version: '1.0.0', state: 'downloading' }));
      expect(refused.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(await h.owner.nodeModel.findFirstOrThrow({ where: { nodeId: owner.nodeId, modelId }, select: { state: true, detail: true } })).toEqual({ state: 'pending', detail: null });
      expect(await h.owner.nodeModel.count({ where: { nodeId: attacker.nodeId } })).toBe(0);

      // bounds
      expect((await grpcError(owner.reportModelState({ modelId, version: '1.0.0', state: 'downloading', detail: 'x'.repeat(1001) }))).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      const tooMany = Array.from({ length: 51 }, (_, i) => ({ modelId: `m${i}`, version: '1.0.0', state: 'active' }));
      expect((await grpcError(attacker.heartbeat(undefined, { models: tooMany }))).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      await owner.reportModelState({ modelId, version: '1.0.0', state: 'downloading' });
    });

    it('one node of a batch cannot hide another node\'s failing inference from the rollout health gate', async () => {
      const label = { line: 'trust-gate' };
      const honest = new SimAgent(h.grpcTarget);
      const inflating = new SimAgent(h.grpcTarget);
      let worker: Spawned | undefined;
      try {
        for (const [sim, country] of [[honest, 'ID'], [inflating, 'CL']] as const) {
          const token = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds[country] } });
          await sim.agent.enroll(token.body.token, undefined, { labels: label });
        }
        const gateModel = await publishVersion(h, 'trust-gate-model', '1.0.0', randomBytes(16 * 1024));
        // Once active, the honest node fails half of its inference calls; the other reports a billion successful requests per heartbeat.
        honest.traffic = (running) => ({ requests: 10, errors: running.get(gateModel) === '1.0.0' ? 5 : 0 });
        inflating.traffic = (running) => ({ requests: running.get(gateModel) === '1.0.0' ? 1_000_000_000 : 10, errors: 0 });
        honest.start();
        inflating.start();
        worker = await startWorker(h, { ROLLOUT_TICK_MS: '200' });
        const engineer = await h.token('a', Role.vendor_engineer);
        const created = await call(h, 'POST', '/v1/rollouts', {
          token: engineer,
          body: {
            modelId: gateModel,
            version: '1.0.0',
            selector: { labels: label },
            strategy: { canary: { count: 2 }, batchSize: 2, pauseSeconds: 0, batchTimeoutSeconds: 60, gate: { minActivationRatio: 1, maxErrorRate: 0.2, minRequests: 1, observeSeconds: 2 } },
          },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(created.body).toMatchObject({ totalNodes: 2 });
        const judged = await until('batch 1 judged', async () => {
          const rollout = (await call(h, 'GET', `/v1/rollouts/${created.body.id}`, { token: engineer })).body;
          return rollout.gateResults?.length ? rollout : undefined;
        }, 45_000);
        // The honest node alone runs at a 50% error rate, far above the 20% the gate allows.
        expect(judged.gateResults[0]).toMatchObject({ batch: 1, passed: false });
      } finally {
        honest.stop();
        inflating.stop();
        await worker?.stop('SIGKILL');
      }
    }, 90_000);
  });

  describe('Enroll', () => {
    it('binds the node to the token\'s tenant and site; a revoked token is refused', async () => {
      const admin = await h.token('b', Role.vendor_admin);
      const token = await call(h, 'POST', '/v1/enrollment-tokens', { token: admin, body: { siteId: h.tenants.b.siteIds.DE } });
      const agent = new TestAgent(h.grpcTarget);
      agents.push(agent);
      expect(await agent.enroll(token.body.token)).toMatchObject({ tenantId: h.tenants.b.id, siteId: h.tenants.b.siteIds.DE });
      const revoked = await call(h, 'POST', '/v1/enrollment-tokens', { token: admin, body: { siteId: h.tenants.b.siteIds.DE } });
      expect((await call(h, 'DELETE', `/v1/enrollment-tokens/${revoked.body.id}`, { token: admin })).status).toBeLessThan(300);
      const refused = await grpcError(new TestAgent(h.grpcTarget).enroll(revoked.body.token));
      expect(refused.code).toBe(GrpcStatus.UNAUTHENTICATED);
    });

    // Last: it empties the failure bucket of 127.0.0.1, which every agent of this file enrolls from.
    it('failed enrollments of one address are cut at the configured burst even when sent in parallel', async () => {
      const guesser = new TestAgent(h.grpcTarget);
      agents.push(guesser);
      const guesses = Array.from({ length: 150 }, () => outcome(guesser.enroll(`me_${randomBytes(32).toString('base64url')}`)));
      const results = await Promise.all(guesses);
      const tried = results.filter((r) => r === 'UNAUTHENTICATED').length;
      const throttled = results.filter((r) => r === 'RESOURCE_EXHAUSTED').length;
      expect(tried + throttled).toBe(150);
      expect(tried).toBeLessThanOrEqual(h.config.agents.enrollFailureBurst);
    });
  });
});
