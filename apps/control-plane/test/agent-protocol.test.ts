import { Client, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey, signEd25519 } from '@meridian/crypto';
import { Role } from '@meridian/db';
import { AGENT_SERVICE_PATH, AgentServiceService, AUTH_METADATA, requestBodyDigest, signCall, signRequest } from '@meridian/protocol';
import { grpcError, streamEnd, TestAgent } from './agent-client';
import { call, startHarness, type Harness } from './harness';

describe('agent protocol: enrollment, identity, refusals', () => {
  let h: Harness;
  const agents: TestAgent[] = [];
  const agent = () => {
    const created = new TestAgent(h.grpcTarget);
    agents.push(created);
    return created;
  };
  const newToken = async (tenant: 'a' | 'b' = 'a', country = tenant === 'a' ? 'ID' : 'DE') => {
    const response = await call(h, 'POST', '/v1/enrollment-tokens', {
      token: await h.token(tenant, Role.vendor_admin),
      body: { siteId: h.tenants[tenant].siteIds[country] },
    });
    expect(response.status).toBe(201);
    return response.body.token as string;
  };

  beforeAll(async () => {
    h = await startHarness('agent-protocol');
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await h?.close();
  });

  it('enrolls a node with a token and its own key, and shows it through REST', async () => {
    const a = agent();
    const identity = await a.enroll(await newToken(), 'gw-cikarang-1');
    expect(identity).toMatchObject({ tenantId: h.tenants.a.id, siteId: h.tenants.a.siteIds.ID, siteCountry: 'ID', heartbeatIntervalSeconds: 10 });
    expect(identity.policySigningKeys).toHaveLength(1);
    expect(identity.policySigningKeys[0]!.publicKey).toHaveLength(32);
    const stored = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: identity.nodeId } });
    expect(Buffer.from(stored.publicKey!, 'base64').equals(a.keyPair.publicKey)).toBe(true);

    await a.heartbeat(undefined, { agentVersion: '1.2.3', policyVersion: 7, policyDigest: 'a'.repeat(64), models: [{ modelId: 'm1', version: '1.0.0', state: 'active' }] });
    const node = await call(h, 'GET', `/v1/nodes/${identity.nodeId}`, { token: await h.token('a', Role.vendor_engineer) });
    expect(node.status).toBe(200);
    expect(node.body).toMatchObject({ name: 'gw-cikarang-1', status: 'online', agentVersion: '1.2.3', reported: { policyVersion: 7, models: [{ modelId: 'm1' }] } });
    expect(new Date(node.body.lastSeenAt).getTime()).toBeGreaterThan(Date.now() - 10_000);
    const online = await call(h, 'GET', '/v1/nodes?status=online', { token: await h.token('a', Role.vendor_engineer) });
    expect(online.body.items.map((n: { id: string }) => n.id)).toContain(identity.nodeId);
  });

  it('refuses a reused enrollment token', async () => {
    const token = await newToken();
    await agent().enroll(token);
    const error = await grpcError(agent().enroll(token));
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(error.details).toMatch(/already used/);
  });

  it('refuses an expired enrollment token', async () => {
    const token = await newToken();
    await h.owner.enrollmentToken.updateMany({ where: { status: 'active', usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const error = await grpcError(agent().enroll(token));
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(error.details).toMatch(/expired/);
  });

  it('refuses an unknown token, a bad proof and malformed requests, without consuming the token', async () => {
    expect((await grpcError(agent().enroll(`me_${'x'.repeat(43)}`))).code).toBe(GrpcStatus.UNAUTHENTICATED);
    const token = await newToken();
    const forgedProof = signEd25519(loadPrivateKey(generateEd25519KeyPair().privateKeyPem), 'anything');
    const proofError = await grpcError(agent().enroll(token, 'gw-x', { proof: forgedProof }));
    expect(proofError.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(proofError.details).toMatch(/proof of possession/);
    // a small-order public key would let anyone forge this node's signatures
    const weak = new TestAgent(h.grpcTarget);
    agents.push(weak);
    (weak.keyPair as { publicKey: Buffer }).publicKey = Buffer.alloc(32);
    const weakError = await grpcError(weak.enroll(token));
    expect(weakError.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(weakError.details).toMatch(/^publicKey: is not a usable Ed25519 public key/);
    const badName = await grpcError(agent().enroll(token, 'has spaces in it'));
    expect(badName.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(badName.details).toMatch(/^nodeName:/);
    // still usable
    await expect(agent().enroll(token)).resolves.toMatchObject({ siteCountry: 'ID' });
  });

  it('refuses a forged signature, a replayed request and a stale timestamp', async () => {
    const a = agent();
    await a.enroll(await newToken());
    const forger = loadPrivateKey(generateEd25519KeyPair().privateKeyPem);
    const forged = await grpcError(a.heartbeat(a.sign('Heartbeat', a.nodeId, forger)));
    expect(forged.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(forged.details).toMatch(/signature/);

    const metadata = a.sign('Heartbeat');
    await a.heartbeat(metadata.clone());
    const replay = await grpcError(a.heartbeat(metadata.clone()));
    expect(replay.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(replay.details).toMatch(/replayed/);

    const stale = signRequest(a.privateKey, `${AGENT_SERVICE_PATH}/Heartbeat`, a.nodeId, Date.now() - 5 * 60_000);
    const staleError = await grpcError(a.heartbeat(stale));
    expect(staleError.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(staleError.details).toMatch(/timestamp/);

    // a signature for one method does not authorise another
    const wrongMethod = await grpcError(a.heartbeat(a.sign('UploadAudit')));
    expect(wrongMethod.code).toBe(GrpcStatus.UNAUTHENTICATED);

    const missing = await grpcError(a.heartbeat(new (await import('@grpc/grpc-js')).Metadata()));
    expect(missing.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('binds the request body to the signature: an altered body or a dropped digest is refused; calls of older agents are counted', async () => {
    const a = agent();
    await a.enroll(await newToken());
    const sent = a.heartbeatRequest({ inference: { requests: 100, errors: 0, denied: 0 } });
    await a.heartbeat(signCall(a.privateKey, a.nodeId, 'heartbeat', sent), sent);
    const seen = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: a.nodeId } });

    // Signed over one body, another on the wire: an intermediary rewriting the node's counters.
    const rewritten = { ...sent, inference: { requests: 100, errors: 90, denied: 0 } };
    const altered = await grpcError(a.heartbeat(signCall(a.privateKey, a.nodeId, 'heartbeat', sent), rewritten));
    expect(altered.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(altered.details).toMatch(/request body does not match the digest the node signed/);
    // Dropping the digest, or putting the rewritten body's in its place, leaves a signature that does not verify.
    const dropped = signCall(a.privateKey, a.nodeId, 'heartbeat', sent);
    dropped.remove(AUTH_METADATA.bodyDigest);
    const droppedError = await grpcError(a.heartbeat(dropped, rewritten));
    expect(droppedError.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(droppedError.details).toMatch(/signature does not match/);
    const swapped = signCall(a.privateKey, a.nodeId, 'heartbeat', sent);
    swapped.set(AUTH_METADATA.bodyDigest, requestBodyDigest(AgentServiceService.heartbeat.requestSerialize(rewritten)));
    const swappedError = await grpcError(a.heartbeat(swapped, rewritten));
    expect(swappedError.details).toMatch(/signature does not match/);
    // None of the refused calls was recorded.
    expect((await h.owner.edgeNode.findUniqueOrThrow({ where: { id: a.nodeId } })).lastSeenAt).toEqual(seen.lastSeenAt);

    // An agent that does not sign bodies yet is served, and counted for operators to find.
    const unsigned = async () => Number((await call(h, 'GET', '/metrics')).body.match(/meridian_agent_unsigned_body_total\{method="Heartbeat"\} (\d+)/)?.[1] ?? 0);
    const before = await unsigned();
    await a.heartbeat(a.sign('Heartbeat'), sent);
    expect(await unsigned()).toBe(before + 1);

    // PolicyChannel has no request message of its own: a body digest there cannot be right.
    const withDigest = signRequest(a.privateKey, `${AGENT_SERVICE_PATH}/PolicyChannel`, a.nodeId, Date.now(), Buffer.from('hello'));
    const channel = await streamEnd(a.policyChannel(undefined, withDigest));
    expect(channel.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(channel.details).toMatch(/request body does not match/);
  });

  it("keeps a node of tenant B away from tenant A's nodes and resources", async () => {
    const nodeOfA = agent();
    await nodeOfA.enroll(await newToken('a'));
    const nodeOfB = agent();
    const identityB = await nodeOfB.enroll(await newToken('b'));
    expect(identityB.tenantId).toBe(h.tenants.b.id);
    expect(identityB.policySigningKeys[0]!.keyId).not.toBe(nodeOfA.identity!.policySigningKeys[0]!.keyId);

    // B's key cannot speak for A's node
    const before = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: nodeOfA.nodeId } });
    const impersonation = await grpcError(nodeOfB.heartbeat(nodeOfB.sign('Heartbeat', nodeOfA.nodeId)));
    expect(impersonation.code).toBe(GrpcStatus.UNAUTHENTICATED);
    const after = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: nodeOfA.nodeId } });
    expect(after.lastSeenAt).toEqual(before.lastSeenAt);

    // B asking for an artifact that is not in its tenant gets NOT_FOUND, never A's data
    const stream = nodeOfB.client.fetchArtifact({ modelId: nodeOfA.nodeId, version: '1.0.0', offset: 0 }, nodeOfB.sign('FetchArtifact'));
    const end = await streamEnd(stream);
    expect(end.code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('answers oversized and malformed messages with an error and keeps serving', async () => {
    const a = agent();
    await a.enroll(await newToken());
    const huge = await grpcError(a.heartbeat(undefined, { agentVersion: 'x'.repeat(5 * 1024 * 1024) }));
    expect(huge.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);

    const raw = new Client(h.grpcTarget, credentials.createInsecure());
    const garbage = await new Promise<ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        `${AGENT_SERVICE_PATH}/Enroll`,
        (value: Buffer) => value,
        (value: Buffer) => value,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        (error) => resolve(error),
      ),
    );
    raw.close();
    expect(garbage).not.toBeNull();
    expect([GrpcStatus.INTERNAL, GrpcStatus.INVALID_ARGUMENT]).toContain(garbage!.code);

    const tooLong = await grpcError(a.heartbeat(undefined, { agentVersion: 'x'.repeat(51) }));
    expect(tooLong.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(tooLong.details).toMatch(/agentVersion/);

    await expect(a.heartbeat()).resolves.toMatchObject({ heartbeatIntervalSeconds: 10 });
  });

  it('cuts the streams of a revoked node within 5 seconds and refuses it afterwards', async () => {
    const a = agent();
    await a.enroll(await newToken());
    const stream = a.watchPolicy();
    const ended = streamEnd(stream);
    // the stream is open once the server counts it
    await waitFor(async () => (await call(h, 'GET', '/metrics')).body.match(/meridian_agent_streams\{stream="policy"\} [1-9]/) !== null);
    const revokedAt = Date.now();
    const revoke = await call(h, 'POST', `/v1/nodes/${a.nodeId}/revoke`, { token: await h.token('a', Role.vendor_admin) });
    expect(revoke.status).toBe(200);
    expect(revoke.body.status).toBe('revoked');
    const end = await ended;
    expect(end.code).toBe(GrpcStatus.PERMISSION_DENIED);
    const elapsed = end.at - revokedAt;
    console.log(`revocation closed the stream after ${elapsed} ms`);
    expect(elapsed).toBeLessThan(5_000);
    const refused = await grpcError(a.heartbeat());
    expect(refused.code).toBe(GrpcStatus.PERMISSION_DENIED);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}
