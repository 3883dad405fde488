import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';

interface Listed {
  type: string;
  actor: string;
  siteId: string | null;
  event: { data: Record<string, unknown> };
}

/**
 * Changes to the fleet are on the audit record, in the transaction that makes them: who added a
 * site, moved it to another country (the rules its gateways enforce change), let a gateway in with a
 * token, relabelled a node (which rollouts reach it) or removed one.
 */
describe('fleet changes on the audit record', () => {
  let h: Harness;
  const events = async (type: string): Promise<Listed[]> => {
    const page = await call(h, 'GET', `/v1/audit/events?type=${type}&limit=100`, { token: await h.token('a', Role.auditor) });
    expect(page.status).toBe(200);
    return page.body.items as Listed[];
  };
  const userId = async (role: Role) => (await h.owner.user.findUniqueOrThrow({ where: { email: h.tenants.a.emails[role]! } })).id;

  beforeAll(async () => {
    h = await startHarness('fleet-changes');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('records sites added, changed (with what changed) and removed, by whom; a save that changes nothing records nothing', async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const engineer = await h.token('a', Role.vendor_engineer);
    const created = await call(h, 'POST', '/v1/sites', { token: admin, body: { name: 'Audited plant', country: 'DE', region: 'Bayern' } });
    expect(created.status).toBe(201);
    const siteId = created.body.id as string;
    const [added] = (await events('admin.site.created')).filter((e) => e.siteId === siteId);
    expect(added).toMatchObject({ actor: `user:${await userId(Role.vendor_admin)}`, event: { data: { siteId, name: 'Audited plant', country: 'DE', region: 'Bayern', integratorOrgId: null, role: 'vendor_admin' } } });

    expect((await call(h, 'PATCH', `/v1/sites/${siteId}`, { token: engineer, body: { country: 'CL', region: null, name: 'Audited plant' } })).status).toBe(200);
    const changed = (await events('admin.site.changed')).filter((e) => e.siteId === siteId);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ actor: `user:${await userId(Role.vendor_engineer)}`, event: { data: { siteId, changes: { country: { from: 'DE', to: 'CL' }, region: { from: 'Bayern', to: null } } } } });
    expect(Object.keys(changed[0]!.event.data.changes as object).sort()).toEqual(['country', 'region']);

    expect((await call(h, 'PATCH', `/v1/sites/${siteId}`, { token: engineer, body: { country: 'CL' } })).status).toBe(200);
    expect((await events('admin.site.changed')).filter((e) => e.siteId === siteId)).toHaveLength(1);

    expect((await call(h, 'DELETE', `/v1/sites/${siteId}`, { token: admin })).status).toBe(204);
    const removed = (await events('admin.site.removed')).filter((e) => e.event.data.siteId === siteId);
    expect(removed).toMatchObject([{ event: { data: { name: 'Audited plant', country: 'CL' } } }]);
  });

  it('records enrollment tokens issued and revoked (once, however often revoked), and node labels changed and nodes removed', async () => {
    const integrator = await h.token('a', Role.integrator_admin);
    const siteId = h.tenants.a.siteIds.ID!;
    const issued = await call(h, 'POST', '/v1/enrollment-tokens', { token: integrator, body: { siteId, ttlSeconds: 3600 } });
    expect(issued.status).toBe(201);
    const tokenId = issued.body.id as string;
    const [issuedEvent] = (await events('admin.enrollment_token.issued')).filter((e) => e.event.data.tokenId === tokenId);
    expect(issuedEvent).toMatchObject({ actor: `user:${await userId(Role.integrator_admin)}`, siteId, event: { data: { expiresAt: issued.body.expiresAt } } });
    expect(JSON.stringify(issuedEvent)).not.toContain(issued.body.token); // the secret never reaches the log

    for (let i = 0; i < 2; i += 1) expect((await call(h, 'DELETE', `/v1/enrollment-tokens/${tokenId}`, { token: integrator })).status).toBe(204);
    expect((await events('admin.enrollment_token.revoked')).filter((e) => e.event.data.tokenId === tokenId)).toHaveLength(1);

    const node = await h.owner.edgeNode.create({ data: { tenantId: h.tenants.a.id, siteId, name: 'audited-gw', labels: { line: 'a' } } });
    expect((await call(h, 'PATCH', `/v1/nodes/${node.id}`, { token: integrator, body: { labels: { line: 'b', zone: 'north' } } })).status).toBe(200);
    expect((await call(h, 'PATCH', `/v1/nodes/${node.id}`, { token: integrator, body: { labels: { zone: 'north', line: 'b' } } })).status).toBe(200);
    const relabelled = (await events('admin.node.changed')).filter((e) => e.event.data.nodeId === node.id);
    expect(relabelled).toMatchObject([{ siteId, event: { data: { name: 'audited-gw', changes: { labels: { from: { line: 'a' }, to: { line: 'b', zone: 'north' } } } } } }]);

    expect((await call(h, 'DELETE', `/v1/nodes/${node.id}`, { token: await h.token('a', Role.vendor_admin) })).status).toBe(204);
    expect((await events('admin.node.removed')).filter((e) => e.event.data.nodeId === node.id)).toMatchObject([{ siteId, event: { data: { name: 'audited-gw' } } }]);
  });

  it('records integrator organisations added, renamed and removed; each shows the sites and people it still has, and one with either is not removed', async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const created = await call(h, 'POST', '/v1/organizations', { token: admin, body: { name: '  Andes Automatización ' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const organizationId = created.body.id as string;
    expect(created.body).toMatchObject({ name: 'Andes Automatización', siteCount: 0, memberCount: 0 });
    const site = await call(h, 'POST', '/v1/sites', { token: admin, body: { name: 'Andes plant', country: 'CL', integratorOrgId: organizationId } });
    expect(site.status).toBe(201);
    expect((await call(h, 'GET', `/v1/organizations/${organizationId}`, { token: admin })).body).toMatchObject({ siteCount: 1, memberCount: 0 });
    const listed = (await call(h, 'GET', '/v1/organizations?limit=100', { token: admin })).body.items as { id: string; siteCount: number }[];
    expect(listed.find((o) => o.id === organizationId)?.siteCount).toBe(1);

    const refused = await call(h, 'DELETE', `/v1/organizations/${organizationId}`, { token: admin });
    expect(refused).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/still has 1 site\(s\), 0 member\(s\)/) } });
    expect((await call(h, 'PATCH', `/v1/organizations/${organizationId}`, { token: admin, body: { name: 'Andes Automatización' } })).status).toBe(200);
    expect((await call(h, 'PATCH', `/v1/organizations/${organizationId}`, { token: admin, body: { name: 'Andes Automation' } })).status).toBe(200);
    expect((await call(h, 'DELETE', `/v1/sites/${site.body.id}`, { token: admin })).status).toBe(204);
    expect((await call(h, 'DELETE', `/v1/organizations/${organizationId}`, { token: admin })).status).toBe(204);

    const actor = `user:${await userId(Role.vendor_admin)}`;
    const about = (list: Listed[]) => list.filter((e) => e.event.data.organizationId === organizationId);
    expect(about(await events('admin.organization.created'))).toMatchObject([{ actor, event: { data: { name: 'Andes Automatización' } } }]);
    expect(about(await events('admin.organization.changed'))).toMatchObject([{ actor, event: { data: { changes: { name: { from: 'Andes Automatización', to: 'Andes Automation' } } } } }]);
    expect(about(await events('admin.organization.removed'))).toMatchObject([{ actor, event: { data: { name: 'Andes Automation' } } }]);
  });
});
