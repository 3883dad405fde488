import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';
import { repoRoot } from './processes';

describe('operations endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('ops');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reports liveness and readiness', async () => {
    expect(await call(h, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(h, 'GET', '/readyz')).toMatchObject({ status: 200, body: { checks: { postgres: 'ok', redis: 'ok' } } });
  });

  it('exposes Prometheus metrics by route template and status', async () => {
    const token = await h.token('a', Role.vendor_admin);
    await call(h, 'GET', '/v1/sites', { token });
    await call(h, 'GET', `/v1/sites/${h.tenants.a.siteIds.ID}`, { token });
    await call(h, 'GET', '/v1/sites');
    const metrics = await call(h, 'GET', '/metrics');
    expect(metrics.contentType).toMatch(/^text\/plain/);
    const text = metrics.body as string;
    expect(text).toMatch(/meridian_http_requests_total\{method="GET",route="\/v1\/sites",status="200"\} [1-9]/);
    expect(text).toMatch(/meridian_http_requests_total\{method="GET",route="\/v1\/sites",status="401"\} [1-9]/);
    expect(text).toMatch(/meridian_http_requests_total\{method="GET",route="\/v1\/sites\/:id",status="200"\} [1-9]/);
    expect(text).toMatch(/meridian_http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/v1\/sites",status="200"\}/);
    expect(text).toMatch(/meridian_agent_streams\{stream="policy"\} 0/);
    expect(text).toMatch(/meridian_process_cpu_seconds_total/);
  });

  it('reports queue depths and policy push counters', async () => {
    const text = (await call(h, 'GET', '/metrics')).body as string;
    expect(text).toMatch(/meridian_queue_jobs\{queue="governance",state="waiting"\} \d+/);
    expect(text).toMatch(/meridian_queue_jobs\{queue="housekeeping",state="failed"\} \d+/);
    expect(text).toMatch(/# TYPE meridian_policy_bundles_pushed_total counter/);
    expect(text).toMatch(/# TYPE meridian_policy_bundles_acknowledged_total counter/);
  });

  it('serves the queue dashboard to platform admins only', async () => {
    expect((await fetch(`${h.baseUrl}/admin/queues`)).status).toBe(401);
    const vendor = await fetch(`${h.baseUrl}/admin/queues`, { headers: { authorization: `Bearer ${await h.token('a', Role.vendor_admin)}` } });
    expect(vendor.status).toBe(403);
    const admin = await fetch(`${h.baseUrl}/admin/queues`, { headers: { authorization: `Bearer ${await h.token('a', Role.platform_admin)}` } });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toMatch(/<html/i);
    const api = await fetch(`${h.baseUrl}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${await h.token('a', Role.platform_admin)}` } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toMatch(/governance/);
  });

  it('publishes the OpenAPI document and interactive docs', async () => {
    const doc = await call(h, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const p of ['/v1/sites', '/v1/sites/{id}', '/v1/nodes', '/v1/enrollment-tokens', '/v1/api-keys', '/v1/users', '/v1/tenants', '/v1/auth/login', '/v1/jobs/{id}']) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
    expect(doc.body.components.schemas.CreateSiteDto.required).toEqual(expect.arrayContaining(['name', 'country']));
    const docs = await fetch(`${h.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger-ui/i);
  });

  it('stops at start-up with a message naming a bad variable', () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'apps/control-plane/dist/main.js')], {
      env: { ...process.env, HTTP_PORT: 'abc', DATABASE_URL: 'mysql://nope' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/HTTP_PORT/);
    expect(result.stderr).toMatch(/DATABASE_URL: must be a postgres/);
  });
});

describe('readiness without Redis', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('ops-no-redis', { REDIS_URL: 'redis://127.0.0.1:6390' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is live but not ready, and says why', async () => {
    expect((await call(h, 'GET', '/healthz')).status).toBe(200);
    const ready = await call(h, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.contentType).toMatch(/problem\+json/);
    expect(ready.body.detail).toMatch(/postgres: ok; redis: /);
    expect(ready.body.detail).not.toMatch(/redis: ok/);
  });
});
