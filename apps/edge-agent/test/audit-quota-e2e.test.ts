import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@meridian/audit';
import { enrollAgent, startStack, storedChain, waitFor, waitForAuditUploaded, type TestStack } from './stack';

const EVENTS_PER_SECOND = 50;
const BURST = 1_000;

/**
 * A real agent coming back online with a backlog larger than its audit upload quota: the control
 * plane refuses what is over the quota (RESOURCE_EXHAUSTED, retry-after-ms), the agent keeps the
 * records and sends them again when told, and everything arrives exactly once.
 */
describe('audit upload quota end to end', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('audit_quota_e2e', { env: { AGENT_AUDIT_EVENTS_PER_SECOND: String(EVENTS_PER_SECOND), AGENT_AUDIT_BURST_EVENTS: String(BURST) } });
    await enrollAgent(stack, 'ID');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('delivers a backlog beyond the burst once the quota allows, each record once, the chain intact', async () => {
    const agent = stack.agents.ID!;
    await waitForAuditUploaded(agent, 15_000);
    await stack.controlPlane.stop('SIGKILL');
    // decided and journaled offline: more than the burst
    const backlog = BURST + 250;
    for (let wave = 0; wave < backlog / 50; wave += 1) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => agent.local('POST', '/v1/decide', { category: 'model_outputs', action: 'infer' })));
      expect(answers.every((a) => a.status === 200)).toBe(true);
    }
    await stack.startControlPlane();
    const decisions = () => stack.owner.auditEvent.count({ where: { sourceId: agent.nodeId, type: 'policy.decision' } });
    await waitFor(async () => (await decisions()) === backlog, 60_000);
    await waitForAuditUploaded(agent, 15_000);

    // the quota did refuse part of it, and the agent sent it again
    const metrics = await (await fetch(`http://127.0.0.1:${stack.httpPort}/metrics`)).text();
    expect(Number(/meridian_audit_events_ingested_total\{result="throttled"\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
    const records = await storedChain(stack, agent.nodeId);
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect((await stack.owner.auditSource.findFirstOrThrow({ where: { sourceId: agent.nodeId } })).brokenAt).toBeNull();
  });
});
