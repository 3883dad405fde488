import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import { Role } from '@meridian/db';
import { AUDIT_RESUME_AFTER_HASH, AUDIT_RESUME_AFTER_SEQ } from '@meridian/protocol';
import { grpcError, TestAgent } from './agent-client';
import { call, startHarness, type Harness } from './harness';

const event = (i: number, nodeId: string): AuditEvent => ({ at: new Date().toISOString(), type: 'policy.decision', actor: `node:${nodeId}`, category: 'inspection_images', decision: i % 2 ? 'deny' : 'allow', data: { i } });
/** n events journaled by the node, continuing `after`. */
function chain(n: number, nodeId: string, after?: ChainRecord): ChainRecord[] {
  const out: ChainRecord[] = [];
  for (let i = 0; i < n; i += 1) out.push(appendRecord(out[out.length - 1] ?? after, event(i, nodeId)));
  return out;
}

describe('audit ingest over UploadAudit', () => {
  let h: Harness;
  const agents: TestAgent[] = [];
  const enrolled = async () => {
    const agent = new TestAgent(h.grpcTarget);
    agents.push(agent);
    const token = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds.CL } });
    await agent.enroll(token.body.token);
    return agent;
  };
  const stored = (nodeId: string) => h.owner.auditEvent.count({ where: { sourceId: nodeId } });

  beforeAll(async () => {
    h = await startHarness('audit-ingest');
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await h?.close();
  });

  it('stores a verified batch, acknowledges it, and adds nothing when it is re-sent', async () => {
    const agent = await enrolled();
    const records = chain(10, agent.nodeId);
    const ack = await agent.uploadAudit(records);
    expect(ack.acknowledgedSeq).toBe(10);
    expect(Buffer.from(ack.acknowledgedHash).toString('hex')).toBe(records[9]!.hash);
    expect(await stored(agent.nodeId)).toBe(10);
    const again = await agent.uploadAudit(records);
    expect(again.acknowledgedSeq).toBe(10);
    expect(await stored(agent.nodeId)).toBe(10);
    // overlapping re-send with new records: only the new ones are stored
    const more = chain(5, agent.nodeId, records[9]);
    expect((await agent.uploadAudit([...records.slice(7), ...more])).acknowledgedSeq).toBe(15);
    expect(await stored(agent.nodeId)).toBe(15);
    const row = await h.owner.auditEvent.findFirstOrThrow({ where: { sourceId: agent.nodeId, seq: 3n } });
    expect(row).toMatchObject({ tenantId: h.tenants.a.id, siteId: h.tenants.a.siteIds.CL, type: 'policy.decision', category: 'inspection_images', actor: `node:${agent.nodeId}` });
    // pages through events no checkpoint has reached yet, each exactly once, newest first
    const token = await h.token('a', Role.auditor);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { seq: number }[]; nextCursor: string | null } } = await call(h, 'GET', `/v1/audit/events?sourceId=${agent.nodeId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item) => item.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect((await call(h, 'GET', '/v1/audit/events?cursor=bm90LWEtY3Vyc29y', { token })).status).toBe(400);
  });

  it('asks once for records missing before a batch, flags the node if they do not come, and keeps refusing', async () => {
    const agent = await enrolled();
    const records = chain(6, agent.nodeId);
    await agent.uploadAudit(records.slice(0, 2));
    // A batch beyond the stored head: the store may have lost records it acknowledged, so the node is asked for them.
    const asked = await grpcError(agent.uploadAudit(records.slice(3)));
    expect(asked.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(asked.details).toMatch(/records 3–3 are missing from the control plane's store: send them again, from record 3/);
    expect(asked.metadata.get(AUDIT_RESUME_AFTER_SEQ)).toEqual(['2']);
    expect(asked.metadata.get(AUDIT_RESUME_AFTER_HASH)).toEqual([records[1]!.hash]);
    expect(await h.owner.auditSource.findFirst({ where: { sourceId: agent.nodeId } })).toMatchObject({ brokenAt: null, resumeRequestedSeq: 2n });
    // Still beyond the same head: asked already, so this is a gap and the node is flagged.
    const gap = await grpcError(agent.uploadAudit(records.slice(3)));
    expect(gap.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(gap.details).toMatch(/gap: expected record 3, got 4 \(records 3–3 were asked for again and not sent\)/);
    expect(gap.metadata.get(AUDIT_RESUME_AFTER_SEQ)).toEqual([]);
    expect(await h.owner.auditSource.findFirst({ where: { sourceId: agent.nodeId } })).toMatchObject({ brokenReason: expect.stringMatching(/gap/) });
    const after = await grpcError(agent.uploadAudit(records.slice(2)));
    expect(after.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(after.details).toMatch(/broken/);
    expect(await stored(agent.nodeId)).toBe(2);
    // operators see the flag on the node
    const node = await call(h, 'GET', `/v1/nodes/${agent.nodeId}`, { token: await h.token('a', Role.vendor_admin) });
    expect(node.body.auditChain).toMatchObject({ acknowledgedSeq: 2, brokenAt: expect.any(String), brokenReason: expect.stringMatching(/gap/) });
  });

  it('takes the missing records when the node sends them again, and asks again at a later head', async () => {
    const agent = await enrolled();
    const records = chain(9, agent.nodeId);
    await agent.uploadAudit(records.slice(0, 2));
    expect((await grpcError(agent.uploadAudit(records.slice(4, 6)))).metadata.get(AUDIT_RESUME_AFTER_SEQ)).toEqual(['2']);
    const ack = await agent.uploadAudit(records.slice(2, 6));
    expect(ack.acknowledgedSeq).toBe(6);
    // Lost again later (another restore): a new head, so the node is asked again rather than flagged.
    expect((await grpcError(agent.uploadAudit(records.slice(7)))).metadata.get(AUDIT_RESUME_AFTER_SEQ)).toEqual(['6']);
    expect((await agent.uploadAudit(records.slice(6))).acknowledgedSeq).toBe(9);
    expect(await stored(agent.nodeId)).toBe(9);
    expect(await h.owner.auditSource.findFirst({ where: { sourceId: agent.nodeId } })).toMatchObject({ brokenAt: null, lastSeq: 9n });
  });

  it('refuses reordered, altered and forked batches', async () => {
    const reordered = await enrolled();
    const r = chain(4, reordered.nodeId);
    expect((await grpcError(reordered.uploadAudit([r[0]!, r[2]!, r[1]!, r[3]!]))).details).toMatch(/gap|repeats/);
    const altered = await enrolled();
    const a = chain(3, altered.nodeId);
    const changed = { ...a[1]!, body: a[1]!.body.replace('deny', 'allow') };
    expect((await grpcError(altered.uploadAudit([a[0]!, changed, a[2]!]))).details).toMatch(/record 2 was altered/);
    expect(await stored(altered.nodeId)).toBe(0);
    const forked = await enrolled();
    const f = chain(3, forked.nodeId);
    await forked.uploadAudit(f);
    const other = chain(3, forked.nodeId); // same seqs, different content: a second history
    const fork = await grpcError(forked.uploadAudit(other));
    expect(fork.details).toMatch(/differs from the one already stored \(fork\)/);
  });

  it('stores batches of many nodes arriving together exactly once each, and refuses only the broken one', async () => {
    const nodes = await Promise.all([enrolled(), enrolled(), enrolled(), enrolled()]);
    const first = nodes.map((agent) => chain(3, agent.nodeId));
    await Promise.all(nodes.map((agent, i) => agent.uploadAudit(first[i]!)));
    const next = nodes.map((agent, i) => chain(4, agent.nodeId, first[i]![2]));
    const [a, b, c, d] = nodes as [TestAgent, TestAgent, TestAgent, TestAgent];
    // b sends the same batch twice at once; d's batch has the right seqs but links to another history
    const forged = chain(4, d.nodeId, chain(3, d.nodeId)[2]);
    const results = await Promise.allSettled([a.uploadAudit(next[0]!), b.uploadAudit(next[1]!), b.uploadAudit(next[1]!), c.uploadAudit(next[2]!), d.uploadAudit(forged)]);
    expect(results.slice(0, 4).map((r) => (r.status === 'fulfilled' ? r.value.acknowledgedSeq : String(r.reason)))).toEqual([7, 7, 7, 7]);
    expect(results[4]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ details: expect.stringMatching(/record 4 does not follow record 3 \(fork\)/) }) });
    for (const [i, agent] of [a, b, c].entries()) {
      const rows = await h.owner.auditEvent.findMany({ where: { sourceId: agent.nodeId }, orderBy: { seq: 'asc' }, select: { seq: true, prevHash: true, hash: true, body: true, decision: true, occurredAt: true } });
      expect(rows.map((r) => ({ seq: Number(r.seq), prevHash: r.prevHash, hash: r.hash, body: r.body }))).toEqual([...first[i]!, ...next[i]!]);
      expect(rows.map((r) => [r.decision, r.occurredAt.toISOString()])).toEqual([...first[i]!, ...next[i]!].map((r) => [JSON.parse(r.body).decision, JSON.parse(r.body).at]));
    }
    expect(await stored(d.nodeId)).toBe(3);
    expect(await h.owner.auditSource.findFirst({ where: { sourceId: d.nodeId } })).toMatchObject({ lastSeq: 3n, brokenReason: expect.stringMatching(/fork/) });
    expect(await h.owner.auditSource.findFirst({ where: { sourceId: b.nodeId } })).toMatchObject({ lastSeq: 7n, lastHash: next[1]![3]!.hash, brokenAt: null });
  });

  it('refuses a batch not signed by the node and malformed batches, without flagging', async () => {
    const agent = await enrolled();
    const records = chain(2, agent.nodeId);
    const forged = await grpcError(agent.uploadAudit(records, { signWith: loadPrivateKey(generateEd25519KeyPair().privateKeyPem) }));
    expect(forged.code).toBe(GrpcStatus.UNAUTHENTICATED);
    const tooMany = await grpcError(agent.uploadAudit(chain(1001, agent.nodeId)));
    expect(tooMany.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const notEvent = { ...appendRecord(undefined, event(0, agent.nodeId)) };
    notEvent.body = 'not json';
    expect((await grpcError(agent.uploadAudit([notEvent]))).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    await expect(agent.uploadAudit(records)).resolves.toMatchObject({ acknowledgedSeq: 2 });
  });
});
