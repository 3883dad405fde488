import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, type AuditEvent, type ChainRecord } from '@meridian/audit';
import { Role } from '@meridian/db';
import { TestAgent } from './agent-client';
import { call, startHarness, type Harness } from './harness';

describe('audit event queries', () => {
  let h: Harness;
  let agent: TestAgent;

  beforeAll(async () => {
    h = await startHarness('audit-query');
    agent = new TestAgent(h.grpcTarget);
    const enrollment = await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds.CL } });
    await agent.enroll(enrollment.body.token);
    // What an agent journals: a bundle applied, decisions asked for, inferences carrying their own decision.
    const types = ['bundle.applied', 'policy.decision', 'model.inference', 'policy.decision', 'model.inference', 'consent.seen'];
    const records: ChainRecord[] = [];
    for (const type of types) {
      const event: AuditEvent = { at: new Date().toISOString(), type, actor: `node:${agent.nodeId}`, ...(type.startsWith('bundle') || type.startsWith('consent') ? {} : { category: 'sensor_telemetry', decision: 'allow' }) };
      records.push(appendRecord(records[records.length - 1], event));
    }
    expect((await agent.uploadAudit(records)).acknowledgedSeq).toBe(types.length);
  });
  afterAll(async () => {
    agent?.close();
    await h?.close();
  });

  const query = async (type: string) => {
    const response = await call(h, 'GET', `/v1/audit/events?sourceId=${agent.nodeId}&type=${encodeURIComponent(type)}`, { token: await h.token('a', Role.auditor) });
    return { status: response.status, body: response.body as { items?: { seq: number; type: string }[]; detail?: string } };
  };

  it('filters by one type', async () => {
    const page = await query('policy.decision');
    expect(page.status).toBe(200);
    expect(page.body.items!.map((item) => item.seq)).toEqual([4, 2]);
  });

  it('filters by several types at once, as the portal lists every record that carries a decision', async () => {
    const page = await query('policy.decision,model.inference');
    expect(page.status).toBe(200);
    expect(page.body.items!.map((item) => [item.seq, item.type])).toEqual([
      [5, 'model.inference'],
      [4, 'policy.decision'],
      [3, 'model.inference'],
      [2, 'policy.decision'],
    ]);
  });

  it('refuses a malformed type list with a clear message', async () => {
    for (const bad of ['policy.decision,', 'Policy', 'a,b,c,d,e,f,g,h,i,j,k']) {
      const page = await query(bad);
      expect(page.status).toBe(400);
      expect(JSON.stringify(page.body)).toMatch(/type must be an event type/);
    }
  });

  it("keeps integrators to their organisation's sites, even when they name another site", async () => {
    const cl = h.tenants.a.siteIds.CL!;
    const own = await call(h, 'GET', `/v1/audit/events?siteId=${cl}`, { token: await h.token('a', Role.integrator_viewer) }); // the CL integrator
    expect(own.status).toBe(200);
    expect(own.body.items.length).toBeGreaterThanOrEqual(6);
    for (const token of [await h.token('a', Role.integrator_admin)]) {
      // the ID integrator: the agent's events belong to the CL site
      for (const path of [`/v1/audit/events?siteId=${cl}`, `/v1/audit/events?sourceId=${agent.nodeId}`, '/v1/audit/events']) {
        const page = await call(h, 'GET', path, { token });
        expect(page.status, path).toBe(200);
        expect(page.body.items.filter((item: { siteId: string | null }) => item.siteId === cl), path).toEqual([]);
      }
    }
  });

  it("pages an integrator's events across its sites in list order, each event once, ties included", async () => {
    const tenantId = h.tenants.a.id;
    const cl = h.tenants.a.siteIds.CL!;
    const org = (await h.owner.site.findUniqueOrThrow({ where: { id: cl } })).integratorOrgId!;
    const second = await h.owner.site.create({ data: { tenantId, name: 'Second CL plant', country: 'CL', integratorOrgId: org } });
    // Two sources per site; events arrive in shared instants, as batches stored by one statement do.
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 4)));
    const sources = [
      { id: '0a0a0a0a-0000-4000-8000-000000000001', siteId: cl },
      { id: 'f0f0f0f0-0000-4000-8000-000000000002', siteId: second.id },
      { id: '5a5a5a5a-0000-4000-8000-000000000003', siteId: second.id },
      { id: 'control-plane', siteId: cl },
    ];
    await h.owner.auditEvent.createMany({
      data: Array.from({ length: 40 }, (_, i) => {
        const source = sources[i % sources.length]!;
        return { tenantId, sourceId: source.id, siteId: source.siteId, seq: BigInt(1000 + i), prevHash: 'p', hash: 'h', body: '{}', type: 'merge.test', actor: 'test', occurredAt: at(i), receivedAt: at(i) };
      }),
    });
    const expected = await h.owner.auditEvent.findMany({ where: { tenantId, type: 'merge.test' }, orderBy: [{ receivedAt: 'desc' }, { sourceId: 'desc' }, { seq: 'desc' }], select: { sourceId: true, seq: true } });
    const token = await h.token('a', Role.integrator_viewer); // the CL integrator, now of two sites
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { sourceId: string; seq: number }[]; nextCursor: string | null } } = await call(h, 'GET', `/v1/audit/events?type=merge.test&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((item) => `${item.sourceId}/${item.seq}`));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected.map((e) => `${e.sourceId}/${e.seq}`));
    expect(seen).toHaveLength(40);
    // The ID integrator sees none of them.
    const other = await call(h, 'GET', '/v1/audit/events?type=merge.test', { token: await h.token('a', Role.integrator_admin) });
    expect(other.body.items).toEqual([]);
  });

  it('names the person, node or API key behind each actor, beside the actor id the log proves', async () => {
    const admin = await h.token('a', Role.vendor_admin);
    const adminUser = await h.owner.user.findUniqueOrThrow({ where: { email: h.tenants.a.emails.vendor_admin } });
    // A person creates an API key; the key (an actor of its own) changes consent.
    const key = await call(h, 'POST', '/v1/api-keys', { token: admin, body: { name: 'line-b-automation', role: Role.integrator_admin, integratorOrgId: (await h.owner.site.findUniqueOrThrow({ where: { id: h.tenants.a.siteIds.CL! } })).integratorOrgId } });
    expect(key.status).toBe(201);
    expect((await call(h, 'PUT', `/v1/sites/${h.tenants.a.siteIds.CL}/consent`, { headers: { 'x-api-key': key.body.key }, body: { flags: { vendor_remote_diagnostics: true } } })).status).toBe(200);
    const node = await h.owner.edgeNode.findUniqueOrThrow({ where: { id: agent.nodeId } });

    const auditor = await h.token('a', Role.auditor);
    const named = async (actor: string) => {
      const page = await call(h, 'GET', `/v1/audit/events?actor=${actor.replaceAll(':', '%3A')}&limit=5`, { token: auditor });
      expect(page.status, actor).toBe(200);
      expect(page.body.items.length, actor).toBeGreaterThan(0);
      return [...new Set(page.body.items.map((item: { actor: string; actorName: string | null }) => `${item.actor} = ${item.actorName}`))];
    };
    expect(await named(`user:${adminUser.id}`)).toEqual([`user:${adminUser.id} = ${adminUser.displayName}`]);
    expect(await named(`api_key:${key.body.id}`)).toEqual([`api_key:${key.body.id} = line-b-automation`]);
    expect(await named(`node:${node.id}`)).toEqual([`node:${node.id} = ${node.name}`]);
    // The detail page names the actor too.
    const latest = (await call(h, 'GET', `/v1/audit/events?sourceId=${agent.nodeId}&limit=1`, { token: auditor })).body.items[0];
    expect((await call(h, 'GET', `/v1/audit/events/${latest.sourceId}/${latest.seq}`, { token: auditor })).body).toMatchObject({ actor: `node:${node.id}`, actorName: node.name });

    // Another tenant's person is no name here: the id alone, as the log holds it.
    const otherTenantsAdmin = await h.owner.user.findUniqueOrThrow({ where: { email: h.tenants.b.emails.vendor_admin } });
    await h.owner.auditEvent.create({
      data: { tenantId: h.tenants.a.id, sourceId: 'control-plane', seq: 3000n, prevHash: 'p', hash: 'h', body: '{}', type: 'admin.names_test', actor: `user:${otherTenantsAdmin.id}`, occurredAt: new Date(), receivedAt: new Date() },
    });
    expect(await named(`user:${otherTenantsAdmin.id}`)).toEqual([`user:${otherTenantsAdmin.id} = null`]);
    await h.owner.auditEvent.deleteMany({ where: { tenantId: h.tenants.a.id, sourceId: 'control-plane', seq: 3000n } });
  });

  it("finds an actor's events and control-plane types through their one source: the same events as filtering every row", async () => {
    const tenantId = h.tenants.a.id;
    await h.owner.auditEvent.createMany({
      data: Array.from({ length: 6 }, (_, i) => ({
        tenantId,
        sourceId: 'control-plane',
        seq: BigInt(2000 + i),
        prevHash: 'p',
        hash: 'h',
        body: '{}',
        type: i % 2 ? 'admin.filter_test.changed' : 'rollout.filter_test',
        actor: i % 3 ? 'user:filter-alice' : 'api_key:filter-key',
        occurredAt: new Date(),
        receivedAt: new Date(Date.UTC(2026, 1, 1, 0, 0, i)),
      })),
    });
    const ids = (items: { sourceId: string; seq: number | bigint }[]) => items.map((item) => `${item.sourceId}/${item.seq}`);
    const token = await h.token('a', Role.auditor);
    const node = `node:${agent.nodeId}`;
    const cases: [string, object, number][] = [
      ['actor=user:filter-alice', { actor: 'user:filter-alice' }, 4],
      ['actor=api_key:filter-key', { actor: 'api_key:filter-key' }, 2],
      [`actor=${node}`, { actor: node }, 6],
      ['type=admin.filter_test.changed,rollout.filter_test', { type: { in: ['admin.filter_test.changed', 'rollout.filter_test'] } }, 6],
      ['type=admin.filter_test.changed&actor=user:filter-alice', { type: 'admin.filter_test.changed', actor: 'user:filter-alice' }, 2],
      // An agent's event cannot have a control-plane type, nor a node another node's actor.
      [`type=admin.filter_test.changed&actor=${node}`, { type: 'admin.filter_test.changed', actor: node }, 0],
      [`sourceId=control-plane&actor=${node}`, { sourceId: 'control-plane', actor: node }, 0],
    ];
    for (const [path, where, count] of cases) {
      const page = await call(h, 'GET', `/v1/audit/events?${path.replaceAll(':', '%3A')}&limit=500`, { token });
      expect(page.status, path).toBe(200);
      const expected = await h.owner.auditEvent.findMany({ where: { tenantId, ...where }, orderBy: [{ receivedAt: 'desc' }, { sourceId: 'desc' }, { seq: 'desc' }], select: { sourceId: true, seq: true } });
      expect(ids(page.body.items), path).toEqual(ids(expected));
      expect(page.body.items, path).toHaveLength(count);
    }
  });
});
