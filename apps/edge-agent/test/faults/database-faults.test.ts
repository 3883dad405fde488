import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@meridian/audit';
import { enrollAgent, startStack, storedChain, storedDecisionTags, waitFor, waitForAuditUploaded, type TestStack } from '../stack';
import { PrivatePostgres } from './private-postgres';

/**
 * PostgreSQL crashing under a running stack — a failover or an OOM kill of the database server, as a
 * managed database has them — with real processes on loopback and a PostgreSQL cluster of the test's
 * own (never the machine's shared server). Nothing may need a restart afterwards: the control plane
 * and the worker reconnect by themselves, the agent keeps answering from its last good policy while
 * the database is away and uploads what it journaled once it is back, each record exactly once, and
 * callers of the API get a clear 503 meanwhile, not a 500.
 */
describe('faults: PostgreSQL crashes under the running stack', () => {
  let postgres: PrivatePostgres;
  let stack: TestStack;
  let nodeId = '';
  const answered = new Set<string>();
  let requests = 0;
  const savedServerUrl = process.env.TEST_DATABASE_SERVER_URL;

  const decide = async () => {
    const tag = `req-${(requests += 1)}`;
    const response = await stack.agents.ID!.local('POST', '/v1/decide', { category: 'model_outputs', action: 'infer', location: tag }).catch(() => undefined);
    if (response?.status === 200) answered.add(tag);
    return response?.status;
  };

  const policyVersion = async () => (await stack.agents.ID!.local('GET', '/v1/status')).body.policyVersion as number;

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    process.env.TEST_DATABASE_SERVER_URL = postgres.url;
    stack = await startStack('faults_database', { worker: true });
    nodeId = (await enrollAgent(stack, 'ID')).nodeId;
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202);
    await waitFor(async () => (await policyVersion()) > 0, 30_000);
  }, 180_000);

  afterAll(async () => {
    if (savedServerUrl === undefined) delete process.env.TEST_DATABASE_SERVER_URL;
    else process.env.TEST_DATABASE_SERVER_URL = savedServerUrl;
    await stack?.close().catch(() => undefined);
    await postgres?.stop();
  });

  it('crash during audit upload: the agent keeps deciding, the API says 503, and afterwards every record is stored once', async () => {
    for (let i = 0; i < 20; i += 1) await decide();
    await waitForAuditUploaded(stack.agents.ID!, 20_000);
    const token = await stack.login();

    await postgres.crash();
    try {
      // The agent governs from the policy it holds: decisions are answered and journaled meanwhile,
      // for the few seconds a failover takes, while it keeps trying to upload.
      const duringOutage: (number | undefined)[] = [];
      const agentErrors = new Set<string>();
      const downUntil = Date.now() + 4_000;
      while (Date.now() < downUntil) {
        duringOutage.push(await decide());
        const lastError = (await stack.agents.ID!.local('GET', '/v1/status')).body.lastError as string | null;
        if (lastError) agentErrors.add(lastError);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(duringOutage.every((status) => status === 200)).toBe(true);
      // What the agent was told when it called in: retry later, and why (not an internal error).
      expect([...agentErrors].some((e) => /UNAVAILABLE the control plane's database is unavailable/.test(e))).toBe(true);
      expect([...agentErrors].filter((e) => /INTERNAL/.test(e))).toEqual([]);

      // The API: a clear, retryable refusal rather than an internal error, and not ready.
      const read = await fetch(`http://127.0.0.1:${stack.httpPort}/v1/nodes`, { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(503);
      expect(read.headers.get('retry-after')).toBe('5');
      expect(((await read.json()) as { detail: string }).detail).toMatch(/database is unavailable/);
      expect((await fetch(`http://127.0.0.1:${stack.httpPort}/readyz`)).status).toBe(503);
      // Nothing was acknowledged while the database was away: the records wait on the agent.
      expect((await stack.agents.ID!.local('GET', '/v1/status')).body.auditPendingEvents).toBeGreaterThanOrEqual(duringOutage.length);
    } finally {
      await postgres.start();
    }
    for (let i = 0; i < 20; i += 1) await decide();

    // No process was restarted: the control plane reconnects, the agent's uploads go through.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${stack.httpPort}/readyz`)).ok, 30_000);
    await waitForAuditUploaded(stack.agents.ID!, 60_000);
    const tags = await storedDecisionTags(stack, nodeId);
    expect(new Set(tags).size).toBe(tags.length);
    expect([...answered].filter((t) => !tags.includes(t))).toEqual([]);
    expect(tags.filter((t) => !answered.has(t)).length).toBeLessThanOrEqual(1);
    expect(verifyChain(await storedChain(stack, nodeId))).toEqual({ ok: true });
    const node = await stack.api('GET', `/v1/nodes/${nodeId}`, undefined, token);
    expect(node.status).toBe(200);
    expect(node.body.auditChain.brokenAt ?? null).toBeNull();
  });

  it('after the crash the worker carries on: a policy publish reaches the agent and a checkpoint takes in every event', async () => {
    const before = await policyVersion();
    // An edit of the base policy (same rules, a new version), then its publication: a new bundle to compile and push.
    const head = await stack.owner.policyVersion.findFirstOrThrow({ where: { scope: 'base' }, orderBy: { version: 'desc' } });
    expect((await stack.api('PUT', '/v1/policies/base', { document: head.document, comment: 'after the database crash' })).status).toBe(200);
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202);
    await waitFor(async () => (await policyVersion()) > before, 30_000);
    expect((await stack.api('POST', '/v1/audit/checkpoints', {})).status).toBe(202);
    await waitFor(async () => (await stack.owner.auditEvent.count({ where: { sourceId: nodeId, logIndex: null } })) === 0, 30_000);
    expect(await stack.owner.auditEvent.count({ where: { sourceId: nodeId } })).toBeGreaterThan(70);
  });
});
