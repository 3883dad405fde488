import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollAgent, startStack, waitFor, type TestStack } from '../../edge-agent/test/stack';

/**
 * The API is stateless and scales out: two control-plane processes on one database and Redis,
 * agents on different replicas all receiving a policy push, two workers processing each job once,
 * and one trace from an API request through the queue into the worker.
 */
describe('horizontal scaling and tracing', () => {
  let stack: TestStack;
  let collector: http.Server;
  const spans: { traceId: string; name: string; service: string }[] = [];
  const contentTypes = new Set<string>();

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        contentTypes.add(String(req.headers['content-type']));
        try {
          const parsed = JSON.parse(body) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; name: string }[] }[] }[] };
          for (const rs of parsed.resourceSpans ?? []) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ traceId: span.traceId, name: span.name, service });
          }
        } catch {
          // not JSON: counted through contentTypes
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    stack = await startStack('scaling', { worker: true, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    collector?.close();
  });

  it('pushes a policy to agents connected to different replicas', async () => {
    const replica = await stack.startReplica();
    await enrollAgent(stack, 'ID');
    const token = await stack.api('POST', '/v1/enrollment-tokens', { siteId: stack.siteIds.CL });
    const onReplica = await stack.startAgent('CL', { token: token.body.token, grpcPort: replica.grpcPort });
    expect((await stack.api('POST', '/v1/policies/publish', {})).status).toBe(202);
    await waitFor(async () => (await stack.agents.ID!.local('GET', '/v1/status')).body.policyVersion === 1 && (await onReplica.local('GET', '/v1/status')).body.policyVersion === 1, 10_000);
    // the replica answers the API too: same data, any replica
    const viaReplica = await fetch(`http://127.0.0.1:${replica.httpPort}/v1/nodes`, { headers: { authorization: `Bearer ${await stack.login()}` } });
    expect(((await viaReplica.json()) as { items: unknown[] }).items).toHaveLength(2);
  });

  it('processes every job exactly once across two workers', async () => {
    const second = await stack.startWorker();
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const job = await stack.api('POST', '/v1/jobs/expire-enrollment-tokens');
      expect(job.status).toBe(202);
      ids.push(job.body.id);
    }
    await waitFor(async () => {
      const states = await Promise.all(ids.map(async (id) => (await stack.api('GET', `/v1/jobs/${id}`)).body.state));
      return states.every((state) => state === 'completed');
    }, 20_000, 200);
    const completions = [...stack.worker!.lines, ...second.lines].filter((line) => line.includes('"job completed"')).map((line) => (JSON.parse(line) as { jobId: string }).jobId);
    for (const id of ids) expect(completions.filter((c) => c === id), id).toHaveLength(1);
    const byFirst = stack.worker!.lines.filter((l) => l.includes('"job completed"')).length;
    console.log(`20 jobs: ${byFirst} on worker 1, ${completions.length - byFirst} on worker 2`);
  });

  it('traces a request from the API through the queue into the worker', async () => {
    const job = await stack.api('POST', '/v1/jobs/expire-enrollment-tokens');
    await waitFor(async () => (await stack.api('GET', `/v1/jobs/${job.body.id}`)).body.state === 'completed', 10_000);
    // Spans leave each process in batches, so wait for what is asserted: a worker span whose trace
    // began at the API (waiting for any worker span was met at once by the previous test's jobs).
    const joinedWorkerSpans = () => {
      const apiTraces = new Set(spans.filter((s) => s.service === 'meridian-control-plane' && s.name === 'POST /v1/jobs/expire-enrollment-tokens').map((s) => s.traceId));
      return spans.filter((s) => s.service === 'meridian-worker' && s.name === 'job expire-enrollment-tokens' && apiTraces.has(s.traceId));
    };
    await waitFor(async () => joinedWorkerSpans().length > 0, 20_000).catch(() => undefined);
    const joined = joinedWorkerSpans();
    const received = [...new Set(spans.map((s) => `${s.service}: ${s.name}`))].join(', ');
    expect(joined.length, `no worker span continues an API trace; spans received: ${received}; content types: ${[...contentTypes].join(', ')}`).toBeGreaterThan(0);
    const trace = spans.filter((s) => s.traceId === joined[0]!.traceId).map((s) => `${s.service}: ${s.name}`);
    expect(trace).toEqual(expect.arrayContaining(['meridian-control-plane: POST /v1/jobs/expire-enrollment-tokens', 'meridian-control-plane: queue.add expire-enrollment-tokens', 'meridian-worker: job expire-enrollment-tokens']));
  });
});
