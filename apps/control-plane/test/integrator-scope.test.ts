import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';
import { testCard } from './registry';
import { enumerateRoutes, type RouteInfo } from './routes';

/**
 * Integrator scoping inside one tenant. RLS draws the tenant boundary; that an integrator sees and
 * changes only the sites of its own organisation (and what lives on them) is up to the services.
 * Tenant A has two plants, each run by another integrator organisation: the integrator admin
 * (Nusantara) has the ID site, the integrator viewer (Andes) the CL site. Each tries to reach the
 * other's site, nodes, enrollment tokens, consent, policy status, audit events and rollouts: by id,
 * through list filters (?siteId=, ?country=, ?sourceId=) and through body fields.
 */

type Country = 'ID' | 'CL';

/**
 * Every route an integrator role may call, and how it is kept to the integrator's organisation.
 * A new route that admits an integrator fails the first test until someone says which it is.
 */
const INTEGRATOR_ROUTES: Record<string, 'site-scoped' | 'tenant-wide' | 'self'> = {
  'GET /v1/sites': 'site-scoped',
  'GET /v1/sites/:id': 'site-scoped',
  'GET /v1/sites/:id/consent': 'site-scoped',
  'PUT /v1/sites/:id/consent': 'site-scoped',
  'GET /v1/sites/:id/policy-status': 'site-scoped',
  'GET /v1/nodes': 'site-scoped',
  'GET /v1/nodes/:id': 'site-scoped',
  'PATCH /v1/nodes/:id': 'site-scoped',
  'POST /v1/nodes/:id/revoke': 'site-scoped',
  'POST /v1/enrollment-tokens': 'site-scoped',
  'GET /v1/enrollment-tokens': 'site-scoped',
  'GET /v1/enrollment-tokens/:id': 'site-scoped',
  'DELETE /v1/enrollment-tokens/:id': 'site-scoped',
  'GET /v1/audit/events': 'site-scoped',
  'GET /v1/audit/events/:sourceId/:seq': 'site-scoped',
  'GET /v1/rollouts': 'site-scoped',
  'GET /v1/rollouts/:id': 'site-scoped',
  'GET /v1/rollouts/:id/nodes': 'site-scoped',
  'GET /v1/organizations': 'site-scoped',
  'GET /v1/organizations/:id': 'site-scoped',
  // The tenant's own documents, the same for every site: policies, models, signing keys, the log's checkpoints.
  'GET /v1/policies': 'tenant-wide',
  'GET /v1/policies/:scope/versions': 'tenant-wide',
  'GET /v1/policies/:scope/versions/:version': 'tenant-wide',
  'GET /v1/policies/:scope/diff': 'tenant-wide',
  'GET /v1/models': 'tenant-wide',
  'GET /v1/models/:id': 'tenant-wide',
  'GET /v1/models/:id/versions/:version': 'tenant-wide',
  'GET /v1/signing-keys': 'tenant-wide',
  'GET /v1/audit/checkpoints': 'tenant-wide',
  'GET /v1/audit/proofs/consistency': 'tenant-wide',
  'GET /v1/tenants': 'tenant-wide',
  'GET /v1/tenants/:id': 'tenant-wide',
  'GET /v1/auth/me': 'self',
  'POST /v1/auth/switch-tenant': 'self',
  'POST /v1/auth/password': 'self',
};

const INTEGRATORS = [Role.integrator_admin, Role.integrator_viewer];
const key = (r: RouteInfo) => `${r.method} ${r.path}`;

interface SiteFixture {
  siteId: string;
  orgId: string;
  nodeId: string;
  nodeName: string;
  tokenId: string;
  /** seq of the control-plane audit event recorded for this site (a consent change). */
  auditSeq: number;
  /** A rollout that targets this site's node only. */
  rolloutId: string;
}

describe('integrator scope within a tenant', () => {
  let h: Harness;
  let routes: RouteInfo[];
  let vendorAdmin: string;
  const fixture = {} as Record<Country, SiteFixture>;
  let mixedRolloutId: string;
  let mixedModelId: string;
  let snapshotBefore: string;

  /** The integrator whose organisation runs the site in `own`, and the other site. */
  const sides: { who: string; role: Role; own: Country; other: Country }[] = [
    { who: 'ID integrator (admin)', role: Role.integrator_admin, own: 'ID', other: 'CL' },
    { who: 'CL integrator (viewer)', role: Role.integrator_viewer, own: 'CL', other: 'ID' },
  ];
  const tokenOf = (role: Role) => h.token('a', role);
  /** Ids of the other organisation's site and what lives on it: none may appear in a reply to this integrator. */
  const secretsOf = (country: Country) => {
    const f = fixture[country];
    return [f.siteId, f.orgId, f.nodeId, f.nodeName, f.tokenId, f.rolloutId];
  };

  async function snapshotOfA(): Promise<string> {
    const tenantId = h.tenants.a.id;
    const o = h.owner;
    const [sites, nodes, tokens, rollouts, rolloutNodes, orgs, events] = await Promise.all([
      o.site.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.edgeNode.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.enrollmentToken.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.rollout.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.rolloutNode.findMany({ where: { tenantId }, orderBy: [{ rolloutId: 'asc' }, { nodeId: 'asc' }] }),
      o.integratorOrganization.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.auditEvent.count({ where: { tenantId } }),
    ]);
    return JSON.stringify({ sites, nodes, tokens, rollouts, rolloutNodes, orgs, events }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }

  beforeAll(async () => {
    h = await startHarness('integrator-scope');
    routes = enumerateRoutes(h.app);
    vendorAdmin = await h.token('a', Role.vendor_admin);
    const a = h.tenants.a;
    const o = h.owner;

    for (const country of ['ID', 'CL'] as const) {
      const siteId = a.siteIds[country]!;
      const site = await o.site.findUniqueOrThrow({ where: { id: siteId } });
      const nodeName = `gw-${country.toLowerCase()}-scope`;
      const node = await o.edgeNode.create({ data: { tenantId: a.id, siteId, name: nodeName, labels: { line: 'a' } } });
      const token = await o.enrollmentToken.create({ data: { tenantId: a.id, siteId, tokenHash: `integrator-scope-${country}`, expiresAt: new Date(Date.now() + 3_600_000) } });
      // A consent change by the vendor: a control-plane audit event that belongs to this site.
      const consent = await call(h, 'PUT', `/v1/sites/${siteId}/consent`, { token: vendorAdmin, body: { flags: { vendor_remote_diagnostics: true } } });
      expect(consent.status, JSON.stringify(consent.body)).toBe(200);
      const event = await o.auditEvent.findFirstOrThrow({ where: { tenantId: a.id, siteId, type: 'admin.consent.changed' } });
      // A rollout of its own model that reaches this site's node only.
      const model = await o.model.create({ data: { tenantId: a.id, name: `only-${country.toLowerCase()}-model` } });
      await o.modelVersion.create({ data: { tenantId: a.id, modelId: model.id, version: '1.0.0', card: testCard() as object } });
      const rollout = await o.rollout.create({ data: { tenantId: a.id, modelId: model.id, version: '1.0.0', selector: { siteIds: [siteId] }, strategy: {}, totalBatches: 1 } });
      await o.rolloutNode.create({ data: { tenantId: a.id, rolloutId: rollout.id, nodeId: node.id, batch: 1 } });
      fixture[country] = { siteId, orgId: site.integratorOrgId!, nodeId: node.id, nodeName, tokenId: token.id, auditSeq: Number(event.seq), rolloutId: rollout.id };
    }
    // A rollout over both countries: batch 1 the ID node, batch 2 the CL node.
    const model = await o.model.create({ data: { tenantId: a.id, name: 'both-countries-model' } });
    await o.modelVersion.create({ data: { tenantId: a.id, modelId: model.id, version: '1.0.0', card: testCard() as object } });
    const mixed = await o.rollout.create({ data: { tenantId: a.id, modelId: model.id, version: '1.0.0', selector: { countries: ['ID', 'CL'] }, strategy: {}, totalBatches: 2 } });
    await o.rolloutNode.createMany({
      data: [
        { tenantId: a.id, rolloutId: mixed.id, nodeId: fixture.ID.nodeId, batch: 1, state: 'active', startedAt: new Date() },
        { tenantId: a.id, rolloutId: mixed.id, nodeId: fixture.CL.nodeId, batch: 2, state: 'failed', startedAt: new Date() },
      ],
    });
    mixedRolloutId = mixed.id;
    mixedModelId = model.id;
    snapshotBefore = await snapshotOfA();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('has a verdict for every route an integrator may call', () => {
    const callable = routes.filter((r) => !r.isPublic && INTEGRATORS.some((role) => r.roles?.includes(role))).map(key);
    expect(callable.filter((k) => !INTEGRATOR_ROUTES[k]), 'routes admitting an integrator with no verdict here').toEqual([]);
    expect(Object.keys(INTEGRATOR_ROUTES).filter((k) => !callable.includes(k)), 'verdicts for routes that no longer admit an integrator').toEqual([]);
  });

  it('the fixtures are visible to the vendor (so the refusals below are not vacuous)', async () => {
    for (const country of ['ID', 'CL'] as const) {
      const f = fixture[country];
      expect((await call(h, 'GET', `/v1/nodes/${f.nodeId}`, { token: vendorAdmin })).status).toBe(200);
      expect((await call(h, 'GET', `/v1/enrollment-tokens/${f.tokenId}`, { token: vendorAdmin })).status).toBe(200);
      const events = await call(h, 'GET', `/v1/audit/events?siteId=${f.siteId}`, { token: vendorAdmin });
      expect(events.body.items.map((e: { seq: number }) => e.seq)).toContain(f.auditSeq);
      expect((await call(h, 'GET', `/v1/rollouts/${mixedRolloutId}`, { token: vendorAdmin })).body.totalNodes).toBe(2);
    }
  });

  for (const side of sides) {
    describe(`${side.who}`, () => {
      it('sees its own site, and only that one, in site lists and lookups', async () => {
        const token = await tokenOf(side.role);
        const own = fixture[side.own];
        const other = fixture[side.other];
        for (const path of ['/v1/sites', `/v1/sites?country=${side.other}`, `/v1/sites?country=${side.own}`]) {
          const page = await call(h, 'GET', path, { token });
          expect(page.status, path).toBe(200);
          expect(page.body.items.map((s: { id: string }) => s.id), path).toEqual(path.endsWith(side.other) ? [] : [own.siteId]);
        }
        expect((await call(h, 'GET', `/v1/sites/${own.siteId}`, { token })).status).toBe(200);
        for (const path of [`/v1/sites/${other.siteId}`, `/v1/sites/${other.siteId}/consent`, `/v1/sites/${other.siteId}/policy-status`]) {
          expect((await call(h, 'GET', path, { token })).status, path).toBe(404);
        }
      });

      it("lists and looks up only its own site's nodes, whatever the filters name", async () => {
        const token = await tokenOf(side.role);
        const own = fixture[side.own];
        const other = fixture[side.other];
        const lists: [string, string[]][] = [
          ['/v1/nodes', [own.nodeId]],
          [`/v1/nodes?siteId=${other.siteId}`, []],
          [`/v1/nodes?country=${side.other}`, []],
          [`/v1/nodes?siteId=${other.siteId}&country=${side.other}&status=pending`, []],
          ['/v1/nodes?status=pending', [own.nodeId]],
        ];
        for (const [path, expected] of lists) {
          const page = await call(h, 'GET', path, { token });
          expect(page.status, path).toBe(200);
          expect(page.body.items.map((n: { id: string }) => n.id), path).toEqual(expected);
        }
        expect((await call(h, 'GET', `/v1/nodes/${own.nodeId}`, { token })).status).toBe(200);
        expect((await call(h, 'GET', `/v1/nodes/${other.nodeId}`, { token })).status).toBe(404);
      });

      it("lists and looks up only its own site's enrollment tokens", async () => {
        if (side.role !== Role.integrator_admin) return; // enrollment tokens are for site operators; the viewer gets 403 (checked with the writes)
        const token = await tokenOf(side.role);
        const own = fixture[side.own];
        const other = fixture[side.other];
        for (const [path, expected] of [
          ['/v1/enrollment-tokens', [own.tokenId]],
          [`/v1/enrollment-tokens?siteId=${other.siteId}`, []],
          [`/v1/enrollment-tokens?siteId=${other.siteId}&status=active`, []],
        ] as const) {
          const page = await call(h, 'GET', path, { token });
          expect(page.status, path).toBe(200);
          expect(page.body.items.map((t: { id: string }) => t.id), path).toEqual(expected);
        }
        expect((await call(h, 'GET', `/v1/enrollment-tokens/${other.tokenId}`, { token })).status).toBe(404);
      });

      it("reads only its own site's audit events, by list filter or by source and seq", async () => {
        const token = await tokenOf(side.role);
        const own = fixture[side.own];
        const other = fixture[side.other];
        for (const path of ['/v1/audit/events', `/v1/audit/events?siteId=${other.siteId}`, '/v1/audit/events?sourceId=control-plane', `/v1/audit/events?sourceId=control-plane&siteId=${other.siteId}&type=admin.consent.changed`]) {
          const page = await call(h, 'GET', path, { token });
          expect(page.status, path).toBe(200);
          expect(page.body.items.filter((e: { siteId: string | null }) => e.siteId !== own.siteId), path).toEqual([]);
        }
        const mine = await call(h, 'GET', '/v1/audit/events?type=admin.consent.changed', { token });
        expect(mine.body.items.map((e: { seq: number }) => e.seq)).toEqual([own.auditSeq]);
        expect((await call(h, 'GET', `/v1/audit/events/control-plane/${own.auditSeq}`, { token })).status).toBe(200);
        expect((await call(h, 'GET', `/v1/audit/events/control-plane/${other.auditSeq}`, { token })).status).toBe(404);
      });

      it('sees only its own organisation', async () => {
        const token = await tokenOf(side.role);
        const page = await call(h, 'GET', '/v1/organizations', { token });
        expect(page.body.items.map((o: { id: string }) => o.id)).toEqual([fixture[side.own].orgId]);
        expect((await call(h, 'GET', `/v1/organizations/${fixture[side.other].orgId}`, { token })).status).toBe(404);
      });

      it("sees a rollout's nodes on its own sites only", async () => {
        const token = await tokenOf(side.role);
        const nodes = await call(h, 'GET', `/v1/rollouts/${mixedRolloutId}/nodes`, { token });
        expect(nodes.status).toBe(200);
        expect(nodes.body.items.map((n: { nodeId: string }) => n.nodeId)).toEqual([fixture[side.own].nodeId]);
        for (const query of ['?batch=2', '?state=failed', `?after=00000000-0000-4000-8000-000000000000`]) {
          const page = await call(h, 'GET', `/v1/rollouts/${mixedRolloutId}/nodes${query}`, { token });
          expect(page.body.items.filter((n: { nodeId: string }) => n.nodeId === fixture[side.other].nodeId), query).toEqual([]);
        }
        // the rollout of the other site alone does not exist for this integrator
        const other = await call(h, 'GET', `/v1/rollouts/${fixture[side.other].rolloutId}/nodes`, { token });
        expect(other.status, JSON.stringify(other.body)).toBe(404);
      });

      it("does not list a rollout that reaches only the other organisation's site", async () => {
        const token = await tokenOf(side.role);
        const list = await call(h, 'GET', '/v1/rollouts', { token });
        expect(list.status).toBe(200);
        const ids = list.body.items.map((r: { id: string }) => r.id);
        expect(ids).toContain(fixture[side.own].rolloutId);
        expect(ids).toContain(mixedRolloutId);
        expect(ids, 'rollout of the other site only is listed').not.toContain(fixture[side.other].rolloutId);
        expect(JSON.stringify(list.body), 'the other site id appears in a listed selector').not.toContain(fixture[side.other].siteId);
      });

      it("cannot open a rollout that reaches only the other organisation's site", async () => {
        const token = await tokenOf(side.role);
        expect((await call(h, 'GET', `/v1/rollouts/${fixture[side.own].rolloutId}`, { token })).status).toBe(200);
        const other = await call(h, 'GET', `/v1/rollouts/${fixture[side.other].rolloutId}`, { token });
        expect(other.status, JSON.stringify(other.body)).toBe(404);
      });

      it("counts only its own nodes in a rollout's progress", async () => {
        const token = await tokenOf(side.role);
        const progress = await call(h, 'GET', `/v1/rollouts/${mixedRolloutId}`, { token });
        expect(progress.status).toBe(200);
        const ownBatch = side.own === 'ID' ? 1 : 2;
        expect({ totalNodes: progress.body.totalNodes, touchedNodes: progress.body.touchedNodes }).toEqual({ totalNodes: 1, touchedNodes: 1 });
        expect(progress.body.batches.map((b: { batch: number; nodes: number }) => [b.batch, b.nodes])).toEqual([[ownBatch, 1]]);
        expect(progress.body.counts.failed + progress.body.counts.active).toBe(1);
        // gate results count requests and errors of every node of a batch: not shown to integrators
        expect(progress.body.gateResults).toEqual([]);
      });

      it("never shows the other organisation's ids in any read it may make", async () => {
        const token = await tokenOf(side.role);
        const own = fixture[side.own];
        const paramsFor: Record<string, string> = {
          'GET /v1/sites/:id': own.siteId,
          'GET /v1/sites/:id/consent': own.siteId,
          'GET /v1/sites/:id/policy-status': own.siteId,
          'GET /v1/nodes/:id': own.nodeId,
          'GET /v1/enrollment-tokens/:id': own.tokenId,
          'GET /v1/rollouts/:id': mixedRolloutId,
          'GET /v1/rollouts/:id/nodes': mixedRolloutId,
          'GET /v1/organizations/:id': own.orgId,
          'GET /v1/models/:id': mixedModelId,
          'GET /v1/models/:id/versions/:version': mixedModelId,
          'GET /v1/tenants/:id': h.tenants.a.id,
        };
        const leaks: string[] = [];
        const reads = routes.filter((r) => r.method === 'GET' && r.roles?.includes(side.role));
        expect(reads.length).toBeGreaterThan(20);
        for (const route of reads) {
          let path = route.path
            .replace(':id', paramsFor[key(route)] ?? ':id')
            .replace(':sourceId/:seq', `control-plane/${own.auditSeq}`)
            .replace(':scope', side.own)
            .replace(':version', route.path.startsWith('/v1/models') ? '1.0.0' : '1');
          expect(path, `no parameter for ${key(route)}`).not.toContain(':');
          if (path.endsWith('/diff') || path.endsWith('/consistency')) path += '?from=1&to=1';
          const response = await call(h, 'GET', path, { token });
          expect([200, 404], `${key(route)} → ${response.status} ${JSON.stringify(response.body)}`).toContain(response.status);
          const text = JSON.stringify(response.body);
          for (const secret of secretsOf(side.other)) if (text.includes(secret)) leaks.push(`${key(route)} shows ${secret}`);
        }
        expect(leaks).toEqual([]);
      });
    });
  }

  it("cannot change the other organisation's site, nodes, tokens, consent or rollouts (by id or body), and changes nothing", async () => {
    const other = fixture.CL;
    const admin = await tokenOf(Role.integrator_admin); // the ID integrator
    const viewer = await tokenOf(Role.integrator_viewer); // the CL integrator: a viewer writes nothing, not even on its own site
    const attempts: { token: string; method: string; path: string; body?: unknown; expected: number }[] = [
      { token: admin, method: 'PUT', path: `/v1/sites/${other.siteId}/consent`, body: { flags: { vendor_remote_diagnostics: false, hijacked: true } }, expected: 404 },
      { token: admin, method: 'PATCH', path: `/v1/nodes/${other.nodeId}`, body: { name: 'hijacked', labels: { line: 'z' } }, expected: 404 },
      { token: admin, method: 'POST', path: `/v1/nodes/${other.nodeId}/revoke`, body: {}, expected: 404 },
      { token: admin, method: 'DELETE', path: `/v1/nodes/${other.nodeId}`, expected: 403 },
      { token: admin, method: 'POST', path: '/v1/enrollment-tokens', body: { siteId: other.siteId }, expected: 404 },
      { token: admin, method: 'POST', path: '/v1/enrollment-tokens', body: { siteId: other.siteId, ttlSeconds: 600 }, expected: 404 },
      { token: admin, method: 'DELETE', path: `/v1/enrollment-tokens/${other.tokenId}`, expected: 404 },
      { token: admin, method: 'PATCH', path: `/v1/sites/${other.siteId}`, body: { integratorOrgId: fixture.ID.orgId }, expected: 403 },
      { token: admin, method: 'PATCH', path: `/v1/sites/${fixture.ID.siteId}`, body: { name: 'Renamed' }, expected: 403 },
      { token: admin, method: 'DELETE', path: `/v1/sites/${other.siteId}`, expected: 403 },
      { token: admin, method: 'POST', path: '/v1/sites', body: { name: 'Smuggled', country: 'CL', integratorOrgId: fixture.ID.orgId }, expected: 403 },
      { token: admin, method: 'POST', path: '/v1/policies/simulate', body: { siteId: other.siteId, category: 'inspection_images', action: 'infer' }, expected: 403 },
      { token: admin, method: 'POST', path: '/v1/rollouts', body: { modelId: mixedModelId, version: '1.0.0', selector: { siteIds: [other.siteId] } }, expected: 403 },
      ...['pause', 'resume', 'abort', 'rollback'].map((action) => ({ token: admin, method: 'POST', path: `/v1/rollouts/${other.rolloutId}/${action}`, body: {}, expected: 403 })),
      ...['pause', 'abort', 'rollback'].map((action) => ({ token: admin, method: 'POST', path: `/v1/rollouts/${mixedRolloutId}/${action}`, body: { rollback: true }, expected: 403 })),
      { token: admin, method: 'POST', path: '/v1/audit/exports', body: {}, expected: 403 },
      { token: viewer, method: 'PUT', path: `/v1/sites/${fixture.ID.siteId}/consent`, body: { flags: { hijacked: true } }, expected: 403 },
      { token: viewer, method: 'PATCH', path: `/v1/nodes/${fixture.ID.nodeId}`, body: { name: 'hijacked' }, expected: 403 },
      { token: viewer, method: 'POST', path: '/v1/enrollment-tokens', body: { siteId: fixture.ID.siteId }, expected: 403 },
      { token: viewer, method: 'GET', path: `/v1/enrollment-tokens?siteId=${fixture.ID.siteId}`, expected: 403 },
    ];
    for (const attempt of attempts) {
      const response = await call(h, attempt.method, attempt.path, { token: attempt.token, body: attempt.body });
      expect(response.status, `${attempt.method} ${attempt.path} → ${JSON.stringify(response.body)}`).toBe(attempt.expected);
    }
    expect(await snapshotOfA()).toBe(snapshotBefore);
    // ...while the integrator admin does act on its own site
    const own = await call(h, 'PATCH', `/v1/nodes/${fixture.ID.nodeId}`, { token: admin, body: { labels: { line: 'b' } } });
    expect(own.status).toBe(200);
    expect(own.body.labels).toEqual({ line: 'b' });
  });
});
