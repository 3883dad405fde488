import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';

/** Bad input gets a clear 4xx problem+json and never changes stored data. */
describe('input validation', () => {
  let h: Harness;
  let admin: string;
  let sitesBefore: number;

  beforeAll(async () => {
    h = await startHarness('validation');
    admin = await h.token('a', Role.vendor_admin);
    sitesBefore = await h.owner.site.count();
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectProblem = (response: { status: number; body: any; contentType: string }, status: number) => {
    expect(response.status).toBe(status);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/meridian\.dev\/problems\//), title: expect.any(String) });
    expect(response.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  };

  it.each([
    ['missing name', { country: 'ID' }, ['name']],
    ['name of only spaces', { name: '   ', country: 'ID' }, ['name']],
    ['lower-case country', { name: 'P', country: 'id' }, ['country']],
    ['unassigned country', { name: 'P', country: 'XX' }, ['country']],
    ['unknown field', { name: 'P', country: 'ID', evil: 1 }, ['evil']],
    ['wrong types', { name: 42, country: ['ID'], region: {} }, ['name', 'country', 'region']],
    ['bad organisation id', { name: 'P', country: 'ID', integratorOrgId: 'nope' }, ['integratorOrgId']],
  ])('refuses a site with %s, naming the fields', async (_label, body, paths) => {
    const response = await call(h, 'POST', '/v1/sites', { token: admin, body });
    expectProblem(response, 400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(expect.arrayContaining(paths));
    for (const error of response.body.errors) expect(error.message).toEqual(expect.any(String));
  });

  it('refuses malformed JSON, wrong content types and oversized bodies', async () => {
    expectProblem(await call(h, 'POST', '/v1/sites', { token: admin, rawBody: '{"name": "P", "country": ' }), 400);
    const text = await call(h, 'POST', '/v1/sites', { token: admin, rawBody: 'name=P&country=ID', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
    const huge = await call(h, 'POST', '/v1/sites', { token: admin, body: { name: 'P', country: 'ID', region: 'x'.repeat(1_500_000) } });
    expectProblem(huge, 413);
    expect(huge.body.detail).toMatch(/larger than the allowed limit/);
  });

  it('refuses bad ids, unknown ids and bad cursors', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const response = await call(h, method, '/v1/sites/not-a-uuid', { token: admin, body: method === 'PATCH' ? { name: 'x' } : undefined });
      expectProblem(response, 400);
    }
    expectProblem(await call(h, 'GET', '/v1/sites/5d5f0a3e-8b4c-4e2a-9d1f-3c2b1a0f9e8d', { token: admin }), 404);
    const cursor = await call(h, 'GET', '/v1/sites?cursor=bm90LWEtY3Vyc29y', { token: admin });
    expectProblem(cursor, 400);
    expect(cursor.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
    expectProblem(await call(h, 'GET', '/v1/sites?limit=1000', { token: admin }), 400);
  });

  it('refuses node labels that are not a small string map', async () => {
    const node = await h.owner.edgeNode.create({ data: { tenantId: h.tenants.a.id, siteId: h.tenants.a.siteIds.ID!, name: 'gw-v' } });
    for (const labels of [{ line: 5 }, ['a'], { 'Bad Key': 'x' }, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']))]) {
      const response = await call(h, 'PATCH', `/v1/nodes/${node.id}`, { token: admin, body: { labels } });
      expectProblem(response, 400);
      expect(response.body.errors[0].path).toBe('labels');
    }
    expect((await h.owner.edgeNode.findUniqueOrThrow({ where: { id: node.id } })).labels).toEqual({});
  });

  it('refuses names of only spaces and stores a name without the spaces around it', async () => {
    const node = await h.owner.edgeNode.create({ data: { tenantId: h.tenants.a.id, siteId: h.tenants.a.siteIds.ID!, name: 'gw-n' } });
    const blank = await call(h, 'PATCH', `/v1/nodes/${node.id}`, { token: admin, body: { name: ' \t ' } });
    expectProblem(blank, 400);
    expect(blank.body.errors).toEqual([{ path: 'name', message: 'name must have 1 to 100 characters besides spaces' }]);
    const padded = await call(h, 'PATCH', `/v1/nodes/${node.id}`, { token: admin, body: { name: '  gw-north  ' } });
    expect(padded.status).toBe(200);
    expect(padded.body.name).toBe('gw-north');
    const person = await call(h, 'POST', '/v1/users', { token: admin, body: { email: 'blank.name@example.com', displayName: '   ', password: 'long-enough-password', role: 'auditor' } });
    expectProblem(person, 400);
    expect(person.body.errors.map((e: { path: string }) => e.path)).toEqual(['displayName']);
    expect(await h.owner.user.count({ where: { email: 'blank.name@example.com' } })).toBe(0);
  });

  it('changed nothing', async () => {
    expect(await h.owner.site.count()).toBe(sitesBefore);
  });

  it('echoes the request id in the header and the problem', async () => {
    const response = await fetch(`${h.baseUrl}/v1/sites/not-a-uuid`, { headers: { authorization: `Bearer ${admin}`, 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(((await response.json()) as { requestId?: string }).requestId).toBe('trace-123');
  });
});
