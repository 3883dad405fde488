import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, type ChainRecord } from '@meridian/audit';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { Role } from '@meridian/db';
import { grpcError, TestAgent } from '../agent-client';
import { call, startHarness, type Harness } from '../harness';

const EVENTS_PER_SECOND = 100;
const BURST = 1_000; // the smallest burst allowed: it must hold the largest batch (1,000 records)
const BATCH = 250;

/**
 * The per-node quota on UploadAudit (AGENT_AUDIT_EVENTS_PER_SECOND / AGENT_AUDIT_BURST_EVENTS): one
 * node uploading as fast as it can gets its burst stored and is then refused, without a trace in the
 * database and without touching its neighbours; it goes on where it stopped once it has waited.
 */
describe('faults: a node uploading audit events beyond its quota', () => {
  let h: Harness;
  const agents: TestAgent[] = [];

  const enrolled = async () => {
    const response = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds.ID } });
    expect(response.status).toBe(201);
    const agent = new TestAgent(h.grpcTarget);
    agents.push(agent);
    await agent.enroll(response.body.token as string);
    return agent;
  };
  /** `count` chained records of the node, in batches of BATCH. */
  const journal = (agent: TestAgent, count: number) => {
    const records: ChainRecord[] = [];
    for (let i = 0; i < count; i += 1) records.push(appendRecord(records[i - 1], { at: new Date().toISOString(), type: 'policy.decision', actor: `node:${agent.nodeId}`, category: 'inspection_images', decision: 'allow', data: { i } }));
    return Array.from({ length: Math.ceil(count / BATCH) }, (_, b) => records.slice(b * BATCH, (b + 1) * BATCH));
  };
  const stored = (agent: TestAgent) => h.owner.auditEvent.count({ where: { sourceId: agent.nodeId } });
  const head = async (agent: TestAgent) => {
    const source = await h.owner.auditSource.findFirstOrThrow({ where: { sourceId: agent.nodeId } });
    return { lastSeq: Number(source.lastSeq), broken: source.brokenAt !== null };
  };

  beforeAll(async () => {
    h = await startHarness('faults-audit-quota', { AGENT_AUDIT_EVENTS_PER_SECOND: String(EVENTS_PER_SECOND), AGENT_AUDIT_BURST_EVENTS: String(BURST) });
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await h?.close();
  });

  it('stores the burst, refuses the rest with RESOURCE_EXHAUSTED and a retry hint, spares other nodes, and continues the chain after the wait', async () => {
    const flooder = await enrolled();
    const neighbour = await enrolled();
    const batches = journal(flooder, BURST + 2 * BATCH);

    // the burst, batch after batch (a node's batches go in order): all stored
    for (const [i, batch] of batches.slice(0, BURST / BATCH).entries()) expect((await flooder.uploadAudit(batch)).acknowledgedSeq).toBe((i + 1) * BATCH);

    // the next batch is over the quota: refused with a retry hint, and so is a second try right away
    const refused = await grpcError(flooder.uploadAudit(batches[BURST / BATCH]!));
    expect(refused.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/audit upload rate of this node exceeded \(100 events\/s, burst 1000\): nothing of this batch of 250 events was stored; retry in [\d.]+ s/);
    const retryAfterMs = Number(refused.metadata.get('retry-after-ms')[0]);
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual((BATCH * 1000) / EVENTS_PER_SECOND);
    expect((await grpcError(flooder.uploadAudit(batches[BURST / BATCH]!))).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    // nothing beyond the burst was stored, the head did not move, and the node is not flagged
    expect(await stored(flooder)).toBe(BURST);
    expect(await head(flooder)).toEqual({ lastSeq: BURST, broken: false });

    // another node of the same tenant has a bucket of its own
    expect((await neighbour.uploadAudit(journal(neighbour, BATCH)[0]!)).acknowledgedSeq).toBe(BATCH);
    expect(await stored(neighbour)).toBe(BATCH);

    // operators see the refused events
    const metrics = (await call(h, 'GET', '/metrics')).body as string;
    expect(Number(/meridian_audit_events_ingested_total\{result="throttled"\} (\d+)/.exec(metrics)?.[1])).toBe(2 * BATCH);

    // once the hinted time has passed, the refused batch is accepted and the chain goes on without a gap
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    expect((await flooder.uploadAudit(batches[BURST / BATCH]!)).acknowledgedSeq).toBe(BURST + BATCH);
    const rows = await h.owner.auditEvent.aggregate({ where: { sourceId: flooder.nodeId }, _count: { _all: true }, _min: { seq: true }, _max: { seq: true } });
    expect({ count: rows._count._all, min: Number(rows._min.seq), max: Number(rows._max.seq) }).toEqual({ count: BURST + BATCH, min: 1, max: BURST + BATCH });
    expect(await head(flooder)).toEqual({ lastSeq: BURST + BATCH, broken: false });
  });

  it('charges a batch only once its signature holds: batches signed with another key do not drain the node quota', async () => {
    const node = await enrolled();
    const forger = loadPrivateKey(generateEd25519KeyPair().privateKeyPem);
    const batches = journal(node, BURST);
    for (const batch of batches) expect((await grpcError(node.uploadAudit(batch, { signWith: forger }))).code).toBe(GrpcStatus.UNAUTHENTICATED);
    // the whole burst is still there for the node itself
    for (const [i, batch] of batches.entries()) expect((await node.uploadAudit(batch)).acknowledgedSeq).toBe((i + 1) * BATCH);
    expect(await stored(node)).toBe(BURST);
  });
});
