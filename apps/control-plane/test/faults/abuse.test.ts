import net from 'node:net';
import { credentials, Client, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { generateEd25519KeyPair, loadPrivateKey, signEd25519 } from '@meridian/crypto';
import { Role } from '@meridian/db';
import { AGENT_SERVICE_PATH, EnrollRequest, enrollProofPayload, PolicyChannelRequest, signRequest } from '@meridian/protocol';
import { grpcError, streamEnd, TestAgent } from '../agent-client';
import { call, startHarness, type Harness } from '../harness';
import { connectRaw } from './raw-grpc';

const FAILURE_BURST = 5;

/**
 * Abuse of the agent-facing gRPC port and the REST API. For each: the abuser gets a clear error,
 * and a healthy agent heartbeating throughout is never refused.
 */
describe('faults: abuse of the control plane', () => {
  let h: Harness;
  const agents: TestAgent[] = [];
  let healthy: TestAgent;

  const newToken = async () => {
    const response = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds.ID } });
    expect(response.status).toBe(201);
    return response.body.token as string;
  };
  const enrolled = async () => {
    const agent = new TestAgent(h.grpcTarget);
    agents.push(agent);
    await agent.enroll(await newToken());
    return agent;
  };

  /** Heartbeats every 50 ms until stopped; every one of them must succeed. */
  const whileHealthyHeartbeats = async <T>(abuse: () => Promise<T>): Promise<T> => {
    let stop = false;
    const failures: unknown[] = [];
    let beats = 0;
    const loop = (async () => {
      while (!stop) {
        try {
          await healthy.heartbeat();
          beats += 1;
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      return await abuse();
    } finally {
      // at least one more heartbeat after the abuse ends
      await new Promise((resolve) => setTimeout(resolve, 120));
      stop = true;
      await loop;
      expect(failures).toEqual([]);
      expect(beats).toBeGreaterThan(0);
    }
  };

  beforeAll(async () => {
    h = await startHarness('faults-abuse', { AGENT_ENROLL_FAILURE_BURST: String(FAILURE_BURST), AGENT_ENROLL_FAILURE_REFILL_SECONDS: '60', AGENT_MAX_STREAMS_PER_NODE: '2', AGENT_POLICY_HELLO_TIMEOUT_SECONDS: '1' });
    healthy = await enrolled();
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await h?.close();
  });

  it('rate-limits a flood of bad enrollment tokens from one address, with a retry hint, without blocking other peers', async () => {
    const attacker = connectRaw(h.grpcTarget, '127.0.0.2');
    const keys = generateEd25519KeyPair();
    const key = loadPrivateKey(keys.privateKeyPem);
    const attempt = (token: string) =>
      attacker.call(
        `${AGENT_SERVICE_PATH}/Enroll`,
        Buffer.from(
          EnrollRequest.encode({ enrollmentToken: token, publicKey: keys.publicKey, nodeName: 'gw-flood', agentVersion: '0', labels: {}, proof: signEd25519(key, enrollProofPayload(token, keys.publicKey)) }).finish(),
        ),
      );
    const results = await whileHealthyHeartbeats(async () => {
      const out = [];
      // 60 guesses, 10 at a time
      for (let wave = 0; wave < 6; wave += 1) {
        out.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(`me_${String(wave * 10 + i).padStart(43, 'x')}`)))));
      }
      // meanwhile another peer (127.0.0.1) enrolls with a valid token
      const other = new TestAgent(h.grpcTarget);
      agents.push(other);
      await expect(other.enroll(await newToken())).resolves.toMatchObject({ siteCountry: 'ID' });
      return out;
    });
    const refusedAsBad = results.filter((r) => r.grpcStatus === GrpcStatus.UNAUTHENTICATED);
    const limited = results.filter((r) => r.grpcStatus === GrpcStatus.RESOURCE_EXHAUSTED);
    // each attempt takes its try before it runs, so concurrent guesses get exactly the burst
    expect(refusedAsBad.length).toBe(FAILURE_BURST);
    expect(limited.length).toBe(results.length - refusedAsBad.length);
    expect(limited[0]!.message).toMatch(/too many failed enrollment attempts from this address; retry in \d+ s/);
    expect(Number(limited[0]!.retryAfterMs)).toBeGreaterThan(0);
    expect(Number(limited[0]!.retryAfterMs)).toBeLessThanOrEqual(60_000);

    // the limited address is refused even with a valid token until it earns a try back
    const valid = await newToken();
    const blocked = await attempt(valid);
    expect(blocked.grpcStatus).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    attacker.close();
    // the token was not consumed: a legitimate peer can still use it
    const late = new TestAgent(h.grpcTarget);
    agents.push(late);
    await expect(late.enroll(valid)).resolves.toMatchObject({ siteCountry: 'ID' });
  });

  it('answers malformed protobuf and broken gRPC framing with an error status and keeps serving', async () => {
    const raw = connectRaw(h.grpcTarget);
    const results = await whileHealthyHeartbeats(async () => ({
      // not a protobuf message (truncated varint)
      garbage: await raw.call(`${AGENT_SERVICE_PATH}/Heartbeat`, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])),
      // length prefix promises more bytes than are sent
      truncated: await raw.call(`${AGENT_SERVICE_PATH}/Heartbeat`, Buffer.from([0, 0, 0, 0x10, 0, 1, 2]), { frame: false }),
      // compressed flag without any grpc-encoding
      compressed: await raw.call(`${AGENT_SERVICE_PATH}/Heartbeat`, Buffer.from([1, 0, 0, 0, 1, 0]), { frame: false }),
      // unknown method
      unknown: await raw.call(`${AGENT_SERVICE_PATH}/DropTables`, Buffer.alloc(0)),
      // a well-formed frame, but no node credentials
      unsigned: await raw.call(`${AGENT_SERVICE_PATH}/Heartbeat`, Buffer.alloc(0)),
    }));
    raw.close();
    for (const [name, result] of Object.entries(results)) {
      expect(result.grpcStatus, `${name}: ${JSON.stringify(result)}`).not.toBe(GrpcStatus.OK);
      expect(result.grpcStatus, name).toBeTypeOf('number');
    }
    expect(results.unknown.grpcStatus).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(results.unsigned.grpcStatus).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(results.unsigned.message).toMatch(/missing node credentials/);

    // a grpc-js client whose serializer writes garbage
    const bogus = new Client(h.grpcTarget, credentials.createInsecure());
    const error = await new Promise<ServiceError | null>((resolve) =>
      bogus.makeUnaryRequest(`${AGENT_SERVICE_PATH}/Heartbeat`, () => Buffer.from('this is not protobuf at all \xff\xff'), (value: Buffer) => value, {}, signRequest(loadPrivateKey(generateEd25519KeyPair().privateKeyPem), `${AGENT_SERVICE_PATH}/Heartbeat`, healthy.nodeId), (e) => resolve(e)),
    );
    bogus.close();
    expect(error?.code).toBeDefined();
    expect(error!.code).not.toBe(GrpcStatus.OK);

    // bytes that are not HTTP/2 at all: the connection is closed
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: Number(h.grpcTarget.split(':')[1]) }, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
      setTimeout(() => (socket.destroy(), resolve(false)), 5_000);
    });
    expect(closed).toBe(true);
    await expect(healthy.heartbeat()).resolves.toBeDefined();
  });

  it('ends a policy channel that sends garbage after its hello, or never says hello, and keeps serving', async () => {
    const node = await enrolled();
    const { garbage, silent, fine } = await whileHealthyHeartbeats(async () => {
      // a client whose serializer passes bytes through: a valid hello, then bytes that are not a PolicyChannelRequest
      const raw = new Client(h.grpcTarget, credentials.createInsecure());
      const stream = raw.makeBidiStreamRequest(`${AGENT_SERVICE_PATH}/PolicyChannel`, (value: Buffer) => value, (value: Buffer) => value, node.sign('PolicyChannel'));
      stream.write(Buffer.from(PolicyChannelRequest.encode({ hello: { currentVersion: 0, currentDigest: '' } }).finish()));
      stream.write(Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      const garbageEnd = await streamEnd(stream);
      raw.close();
      // opened, then nothing: ended once the hello timeout (1 s here) has passed
      const opened = Date.now();
      const silentEnd = await streamEnd(node.policyChannel(null));
      const silentAfterMs = Date.now() - opened;
      // and a well-behaved channel of the same node stays open until its client ends it
      const good = node.policyChannel();
      const goodEnd = streamEnd(good);
      await new Promise((resolve) => setTimeout(resolve, 300));
      good.cancel();
      return { garbage: garbageEnd, silent: { ...silentEnd, afterMs: silentAfterMs }, fine: await goodEnd };
    });
    expect(garbage.code).not.toBe(GrpcStatus.OK);
    expect([GrpcStatus.INTERNAL, GrpcStatus.INVALID_ARGUMENT]).toContain(garbage.code);
    expect(silent.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(silent.details).toMatch(/no hello within 1 s/);
    expect(silent.afterMs).toBeGreaterThanOrEqual(900);
    expect(silent.afterMs).toBeLessThan(5_000);
    expect(fine.code).toBe(GrpcStatus.CANCELLED);
  });

  it('refuses an audit batch beyond the message size limit with RESOURCE_EXHAUSTED', async () => {
    const uploader = await enrolled();
    const big: ChainRecord[] = [];
    // 80 records of ~60 KiB (each under the per-record limit), ~4.7 MiB in all
    for (let i = 0; i < 80; i += 1) {
      const event: AuditEvent = { at: new Date().toISOString(), type: 'policy.decision', actor: `node:${uploader.nodeId}`, data: { pad: 'x'.repeat(60_000), i } };
      big.push(appendRecord(big[big.length - 1], event));
    }
    const refused = await whileHealthyHeartbeats(() => grpcError(uploader.uploadAudit(big)));
    expect(refused.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/larger than max|message larger|exceeds/i);
    expect(await h.owner.auditEvent.count({ where: { sourceId: uploader.nodeId } })).toBe(0);
    // the node is not flagged: a right-sized batch is accepted afterwards
    expect((await uploader.uploadAudit(big.slice(0, 10))).acknowledgedSeq).toBe(10);
  });

  it('refuses acknowledgements of bundles that do not exist, each on its own, even when they arrive together', async () => {
    const nodes = await Promise.all(Array.from({ length: 5 }, () => enrolled()));
    const ack = (agent: TestAgent, version: number) =>
      grpcError(
        new Promise((resolve, reject) =>
          agent.client.ackPolicy({ version, digest: 'f'.repeat(64), applied: true, error: '' }, agent.sign('AckPolicy'), (error, response) => (error ? reject(error) : resolve(response))),
        ),
      );
    const refusals = await whileHealthyHeartbeats(() => Promise.all(nodes.flatMap((n) => [ack(n, 1), ack(n, 99)])));
    for (const refusal of refusals) {
      expect(refusal.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(refusal.details).toMatch(/no bundle version (1|99) with that digest for this site/);
    }
    const stored = await h.owner.edgeNode.findMany({ where: { id: { in: nodes.map((n) => n.nodeId) } }, select: { appliedPolicyVersion: true } });
    expect(stored.every((n) => n.appliedPolicyVersion === null)).toBe(true);
  });

  it('answers invalid JSON bodies on REST with 400 problem+json', async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const answers = await whileHealthyHeartbeats(() =>
      Promise.all(['{"name": "P", "country": ', '{{{', '"just a string"', '[1,2', 'null'].map((rawBody) => call(h, 'POST', '/v1/sites', { token: admin, rawBody }))),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(/application\/problem\+json/);
      expect(answer.body.detail ?? answer.body.title).toBeTruthy();
    }
  });

  it('bounds the streams one node can hold and keeps serving others while slow clients hold streams open', async () => {
    const hog = await enrolled();
    const others = [await enrolled(), await enrolled()];
    const streamsOpen = async () => Number(/meridian_agent_streams\{stream="policy"\} (\d+)/.exec((await call(h, 'GET', '/metrics')).body)?.[1] ?? 0);
    const before = await streamsOpen();
    // one node opening 30 WatchPolicy streams
    const ends = await whileHealthyHeartbeats(async () => {
      const streams = Array.from({ length: 30 }, () => hog.watchPolicy());
      const ended = streams.map((s) => streamEnd(s));
      // slow: others open streams and stop reading
      const slow = others.map((o) => o.watchPolicy());
      for (const s of slow) {
        s.on('error', () => undefined);
        s.pause();
      }
      // an idle TCP connection that never speaks HTTP/2
      const idle = net.connect({ host: '127.0.0.1', port: Number(h.grpcTarget.split(':')[1]) });
      idle.on('error', () => undefined);
      await waitFor(async () => (await streamsOpen()) === before + 2 + others.length);
      const settled = await Promise.all(ended.slice(0, 28));
      for (const s of streams) s.cancel();
      for (const s of slow) s.cancel();
      idle.destroy();
      return settled;
    });
    // 28 of the 30 were superseded by newer ones, with a status that says so
    for (const end of ends) {
      expect(end.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(end.details).toMatch(/superseded/);
    }
    await waitFor(async () => (await streamsOpen()) === before);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}
