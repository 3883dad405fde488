import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@meridian/audit';
import { enrollAgent, startStack, storedChain, storedDecisionTags, waitFor, waitForAuditUploaded, type TestAgentProcess, type TestStack } from './stack';

/**
 * The control plane's store loses audit records it had acknowledged — PostgreSQL restored from last
 * night's backup, or a failover to a replica that had not received the last commits — while the
 * agent, which was told they were stored, has moved past them. The agent still holds them (its journal
 * keeps acknowledged records for its retention period): asked once, it sends them again, and the
 * node's chain is whole, with nobody having to intervene. No worker runs here, so no checkpoint takes
 * the records into the tenant's log: a restore of the events alone is then a faithful one.
 */
describe('audit records lost by the control plane after it acknowledged them', () => {
  let stack: TestStack;
  let agent: TestAgentProcess;
  const answered = new Set<string>();
  let requests = 0;

  const decide = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      const tag = `req-${(requests += 1)}`;
      const response = await agent.local('POST', '/v1/decide', { category: 'model_outputs', action: 'infer', location: tag });
      expect(response.status).toBe(200);
      answered.add(tag);
    }
  };
  /** What a restore to an earlier moment leaves: the node's events after `seq` gone, its head back at `seq`. */
  const restoreTo = async (seq: number) => {
    const head = await stack.owner.auditEvent.findFirstOrThrow({ where: { sourceId: agent.nodeId, seq: BigInt(seq) } });
    const gone = await stack.owner.auditEvent.deleteMany({ where: { sourceId: agent.nodeId, seq: { gt: BigInt(seq) } } });
    await stack.owner.auditSource.updateMany({ where: { sourceId: agent.nodeId }, data: { lastSeq: BigInt(seq), lastHash: head.hash } });
    return gone.count;
  };

  beforeAll(async () => {
    stack = await startStack('audit_restore');
    agent = await enrollAgent(stack, 'ID');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('the agent sends the lost records again when asked, each is stored once, and the chain is whole', async () => {
    await decide(25);
    await waitForAuditUploaded(agent, 20_000);
    const before = await stack.owner.auditEvent.count({ where: { sourceId: agent.nodeId } });
    const lost = await restoreTo(before - 12);
    expect(lost).toBe(12);

    // New records go past the head the store was restored to: the control plane asks for the lost ones.
    await decide(5);
    await waitForAuditUploaded(agent, 20_000);
    await waitFor(async () => (await stack.owner.auditEvent.count({ where: { sourceId: agent.nodeId } })) === before + 5, 20_000);

    const tags = await storedDecisionTags(stack, agent.nodeId);
    expect(new Set(tags).size).toBe(tags.length);
    expect([...answered].filter((t) => !tags.includes(t))).toEqual([]);
    const chain = await storedChain(stack, agent.nodeId);
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: before + 5 }, (_, i) => i + 1));
    expect(verifyChain(chain)).toEqual({ ok: true });
    const source = await stack.owner.auditSource.findFirstOrThrow({ where: { sourceId: agent.nodeId } });
    expect(source).toMatchObject({ brokenAt: null, lastSeq: BigInt(before + 5), resumeRequestedSeq: BigInt(before - 12) });
    // The agent says what happened, in its log (a warning, not an error).
    expect(agent.process.lines.join('\n')).toMatch(/the control plane lost audit records it had acknowledged; sending them again/);
  });
});
