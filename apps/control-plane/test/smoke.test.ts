import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';

describe('control plane smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('smoke');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is live and ready', async () => {
    expect((await call(h, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(h, 'GET', '/readyz')).body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('sends nosniff, no framing and no referrer on API responses, errors and the API docs', async () => {
    for (const path of ['/healthz', '/v1/sites', '/v1/no-such-route', '/docs/']) {
      const response = await fetch(`${h.baseUrl}${path}`);
      expect([...response.headers].filter(([name]) => ['x-content-type-options', 'x-frame-options', 'referrer-policy'].includes(name)).sort(), path).toEqual([
        ['referrer-policy', 'no-referrer'],
        ['x-content-type-options', 'nosniff'],
        ['x-frame-options', 'DENY'],
      ]);
    }
  });

  it('lists the demo sites of tenant A to its vendor admin', async () => {
    const token = await h.token('a', Role.vendor_admin);
    const sites = await call(h, 'GET', '/v1/sites', { token });
    expect(sites.status).toBe(200);
    expect(sites.body.items.map((s: { country: string }) => s.country).sort()).toEqual(['CL', 'ID']);
  });

  it('shows how many nodes each site has, and refuses to delete a site that still has some', async () => {
    const token = await h.token('a', Role.vendor_admin);
    const created = await call(h, 'POST', '/v1/sites', { token, body: { name: 'Counted plant', country: 'ID' } });
    expect(created.status).toBe(201);
    expect(created.body.nodeCount).toBe(0);
    const siteId = created.body.id as string;
    const tenantId = h.tenants.a.id;
    await h.owner.edgeNode.createMany({ data: Array.from({ length: 3 }, (_, i) => ({ tenantId, siteId, name: `counted-${i}` })) });

    expect((await call(h, 'GET', `/v1/sites/${siteId}`, { token })).body.nodeCount).toBe(3);
    const listed = await call(h, 'GET', '/v1/sites?limit=100', { token });
    expect(listed.body.items.find((s: { id: string }) => s.id === siteId).nodeCount).toBe(3);
    const refused = await call(h, 'DELETE', `/v1/sites/${siteId}`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('3 node(s)');

    for (const node of await h.owner.edgeNode.findMany({ where: { siteId } })) expect((await call(h, 'DELETE', `/v1/nodes/${node.id}`, { token })).status).toBe(204);
    expect((await call(h, 'GET', `/v1/sites/${siteId}`, { token })).body.nodeCount).toBe(0);
    expect((await call(h, 'DELETE', `/v1/sites/${siteId}`, { token })).status).toBe(204);
    expect((await call(h, 'GET', `/v1/sites/${siteId}`, { token })).status).toBe(404);
  });
});
