import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '@meridian/db';
import { call, startHarness, type Harness } from './harness';
import { testCard } from './registry';
import { enumerateRoutes, type RouteInfo } from './routes';

/**
 * The isolation matrix. Routes come from the running application, so a new route is covered (or
 * makes this test fail until someone says how it is isolated) without anyone remembering to add it.
 */

/** Routes reachable without credentials. Adding one is a security decision: it must be listed here. */
// GET /v1/audit/exports/:id/file is authenticated by the single-use link token in its query, which names
// the tenant and the export (audit-export-stream.test.ts tries it across tenants and exports).
const PUBLIC_ROUTES = new Set(['POST /v1/auth/login', 'POST /v1/auth/refresh', 'POST /v1/auth/logout', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /v1/audit/exports/:id/file']);

/** Routes that act on the caller's own session, not on a tenant resource an id could point at. */
const SELF_ROUTES = new Set(['GET /v1/auth/me', 'POST /v1/auth/switch-tenant', 'POST /v1/auth/password']);

/** Valid bodies for updates, so the request reaches the service instead of stopping at validation. */
const UPDATE_BODIES: Record<string, unknown> = {
  site: { name: 'Hijacked' },
  node: { name: 'hijacked' },
  organization: { name: 'Hijacked' },
  user: { displayName: 'Hijacked' },
  tenant: { name: 'Hijacked' },
};

/**
 * Path parameters other than :id, and why they cannot address another tenant's data: they name
 * something inside the caller's own tenant (its policy scopes and their versions). Each maps to a
 * value used to call the route.
 */
const PARAMS_WITHIN_CALLER_TENANT: Record<string, string> = { ':scope': 'base', ':version': '1', ':sourceId': 'control-plane', ':seq': '1' };

/** Valid bodies for PUT routes, by route. */
const PUT_BODIES: Record<string, unknown> = {
  'PUT /v1/sites/:id/consent': { flags: { hijacked: true } },
  'PUT /v1/policies/:scope': { document: { apiVersion: 'meridian.dev/v1', kind: 'BasePolicy', categories: {} } },
  'PUT /v1/models/:id/versions/:version': { card: testCard() },
  // JSON instead of an octet stream: the model lookup answers first (404), the media type would only be checked after it
  'PUT /v1/models/:id/versions/:version/artifact': { not: 'an artifact' },
};

/** Create routes whose body can name another tenant's resources: tenant B tries to reach into A. */
function crossTenantCreateBodies(h: Harness, idsOfA: Record<string, string> = {}): Record<string, unknown> {
  const a = h.tenants.a;
  return {
    'POST /v1/rollouts': { modelId: idsOfA.model ?? '00000000-0000-4000-8000-000000000000', version: '1.0.0', selector: { siteIds: [a.siteIds.ID] } },
    'POST /v1/sites': { name: 'Smuggled', country: 'ID', integratorOrgId: a.orgIds[0] },
    'POST /v1/enrollment-tokens': { siteId: a.siteIds.ID },
    'POST /v1/api-keys': { name: 'smuggled', role: Role.integrator_viewer, integratorOrgId: a.orgIds[0] },
    'POST /v1/users': { email: 'smuggled@x.example', displayName: 'S', password: 'long-enough-password', role: Role.integrator_admin, integratorOrgId: a.orgIds[0] },
    'POST /v1/users/memberships': { email: a.emails.vendor_admin, role: Role.integrator_viewer, integratorOrgId: a.orgIds[0] },
    'POST /v1/policies/simulate': { siteId: a.siteIds.ID, category: 'inspection_images', action: 'infer' },
  };
}

/** Create routes that can only ever create inside the caller's own tenant (their bodies name nothing of another tenant). */
const TENANT_LOCAL_CREATES = new Set([
  'POST /v1/organizations',
  'POST /v1/tenants',
  'POST /v1/jobs/expire-enrollment-tokens',
  'POST /v1/policies/publish',
  'POST /v1/signing-keys/rotate',
  'POST /v1/audit/checkpoints',
  'POST /v1/audit/exports',
  'POST /v1/audit/verifications',
  'POST /v1/models',
]);

/**
 * The only POSTs an auditor may make: asking for an export of the log is reading it, in a form
 * that takes long enough to need a job, and so are asking for a link to download one and having
 * the log re-verified by a job. Everything else an auditor posts must be refused.
 */
/** Valid bodies for actions on a resource (POST …/:id/…), so the request reaches the service instead of stopping at validation. */
const POST_ID_BODIES: Record<string, unknown> = {
  'POST /v1/users/:id/password': { newPassword: 'hijacked-password-1' },
};

const AUDITOR_ACTIONS = new Set(['POST /v1/audit/exports', 'POST /v1/audit/exports/:id/download-link', 'POST /v1/audit/verifications']);

const key = (r: RouteInfo) => `${r.method} ${r.path}`;

describe('tenant isolation matrix', () => {
  let h: Harness;
  let routes: RouteInfo[];
  const resourceIdsOfA: Record<string, string> = {};
  let snapshotBefore: string;

  async function snapshotOfA(): Promise<string> {
    const tenantId = h.tenants.a.id;
    const o = h.owner;
    const [tenant, sites, nodes, tokens, keys, orgs, members, models, versions, rollouts, rolloutNodes, nodeModels] = await Promise.all([
      o.tenant.findUnique({ where: { id: tenantId } }),
      o.site.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.edgeNode.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.enrollmentToken.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.apiKey.findMany({ where: { tenantId }, orderBy: { id: 'asc' }, omit: { lastUsedAt: true } }),
      o.integratorOrganization.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.membership.findMany({ where: { tenantId }, orderBy: { id: 'asc' }, include: { user: { omit: { updatedAt: true } } } }),
      o.model.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.modelVersion.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.rollout.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
      o.rolloutNode.findMany({ where: { tenantId }, orderBy: { nodeId: 'asc' } }),
      o.nodeModel.findMany({ where: { tenantId }, orderBy: { nodeId: 'asc' } }),
    ]);
    return JSON.stringify({ tenant, sites, nodes, tokens, keys, orgs, members, models, versions, rollouts, rolloutNodes, nodeModels }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  }

  beforeAll(async () => {
    h = await startHarness('isolation');
    routes = enumerateRoutes(h.app);
    const a = h.tenants.a;
    const o = h.owner;
    const node = await o.edgeNode.create({ data: { tenantId: a.id, siteId: a.siteIds.ID!, name: 'gw-id-1', labels: { line: 'A' } } });
    await o.edgeNode.create({ data: { tenantId: a.id, siteId: a.siteIds.CL!, name: 'gw-cl-1' } });
    const token = await o.enrollmentToken.create({ data: { tenantId: a.id, siteId: a.siteIds.ID!, tokenHash: 'isolation-token', expiresAt: new Date(Date.now() + 3_600_000) } });
    const apiKey = await o.apiKey.create({ data: { tenantId: a.id, name: 'a-key', prefix: 'mk_isolation', keyHash: 'isolation-key', role: Role.vendor_engineer } });
    const engineer = await o.user.findUniqueOrThrow({ where: { email: a.emails.vendor_engineer! } });
    const model = await o.model.create({ data: { tenantId: a.id, name: 'secret-of-tenant-a-model' } });
    await o.modelVersion.create({ data: { tenantId: a.id, modelId: model.id, version: '1', card: testCard() as object } });
    const rollout = await o.rollout.create({ data: { tenantId: a.id, modelId: model.id, version: '1', selector: {}, strategy: {}, totalBatches: 1 } });
    await o.rolloutNode.create({ data: { tenantId: a.id, rolloutId: rollout.id, nodeId: node.id, batch: 1 } });
    Object.assign(resourceIdsOfA, {
      model: model.id,
      rollout: rollout.id,
      tenant: a.id,
      site: a.siteIds.ID,
      node: node.id,
      enrollmentToken: token.id,
      apiKey: apiKey.id,
      organization: a.orgIds[0],
      user: engineer.id,
    });
    // a v3 export (its file in audit_export_chunks) and one made before (the whole file in content)
    resourceIdsOfA.auditExport = (await o.auditExport.create({ data: { tenantId: a.id, requestedBy: 'user:isolation', status: 'completed', progress: 100, sha256: 'secret-of-tenant-a' } })).id;
    await o.auditExportChunk.create({ data: { exportId: resourceIdsOfA.auditExport, tenantId: a.id, chunk: 0, content: Buffer.from('secret-of-tenant-a') } });
    await o.auditExport.create({ data: { tenantId: a.id, requestedBy: 'user:isolation', status: 'completed', progress: 100, content: Buffer.from('secret-of-tenant-a') } });
    if (routes.some((r) => r.resource === 'job')) {
      const job = await call(h, 'POST', '/v1/jobs/expire-enrollment-tokens', { token: await h.token('a', Role.vendor_admin) });
      expect(job.status).toBe(202);
      resourceIdsOfA.job = job.body.id;
    }
    await o.policyVersion.create({
      data: { tenantId: a.id, scope: 'base', version: 2, document: { apiVersion: 'meridian.dev/v1', kind: 'BasePolicy', description: 'secret-of-tenant-a', categories: {} } },
    });
    snapshotBefore = await snapshotOfA();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('finds the routes of every domain', () => {
    const paths = new Set(routes.map((r) => r.path));
    for (const expected of ['/v1/tenants', '/v1/users', '/v1/api-keys', '/v1/sites', '/v1/nodes', '/v1/enrollment-tokens', '/v1/organizations', '/v1/models', '/v1/rollouts']) {
      expect(paths).toContain(expected);
      expect(paths).toContain(`${expected}/:id`);
    }
    expect(routes.length).toBeGreaterThan(30);
  });

  it('declares who may call every route (deny by default)', () => {
    const undeclared = routes.filter((r) => !r.isPublic && (!r.roles || r.roles.length === 0)).map(key);
    expect(undeclared).toEqual([]);
    expect(routes.filter((r) => r.isPublic).map(key).sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('refuses every non-public route without credentials', async () => {
    for (const route of routes.filter((r) => !r.isPublic)) {
      const path = route.path.replace(':id', '00000000-0000-4000-8000-000000000000');
      const response = await call(h, route.method, path, { body: route.method === 'GET' ? undefined : {} });
      expect(response.status, key(route)).toBe(401);
      expect(response.contentType, key(route)).toMatch(/application\/problem\+json/);
    }
  });

  it("gives tenant B 404 (or 403) on every route addressing tenant A's resources, and changes nothing", async () => {
    const idRoutes = routes.filter((r) => r.path.includes(':id') && !r.isPublic);
    expect(idRoutes.length).toBeGreaterThanOrEqual(20);
    for (const route of idRoutes) {
      expect(route.resource, `${key(route)} has :id but its controller declares no @TenantResource`).toBeDefined();
      const id = resourceIdsOfA[route.resource!];
      expect(id, `no fixture for resource "${route.resource}" (${key(route)}); add one to this test`).toBeDefined();
      const role = pickRoleOfB(route);
      let path = route.path.replace(':id', id!);
      for (const [param, value] of Object.entries(PARAMS_WITHIN_CALLER_TENANT)) path = path.replace(param, value);
      const body = route.method === 'PATCH' ? UPDATE_BODIES[route.resource!] : route.method === 'PUT' ? PUT_BODIES[key(route)] : route.method === 'POST' ? (POST_ID_BODIES[key(route)] ?? {}) : undefined;
      expect(route.method !== 'PUT' || body !== undefined, `no PUT body for ${key(route)}; add one to this test`).toBe(true);
      if (!role) {
        const response = await call(h, route.method, path, { token: await h.token('b', Role.vendor_admin), body });
        expect(response.status, `${key(route)} (no role of B allowed)`).toBe(403);
        continue;
      }
      const response = await call(h, route.method, path, { token: await h.token('b', role), body });
      expect(response.status, `${key(route)} as B/${role}`).toBe(404);
    }
    expect(await snapshotOfA()).toBe(snapshotBefore);
  });

  it('uses only path parameters that cannot reach into another tenant', () => {
    const params = new Set(routes.flatMap((r) => r.path.match(/:[a-zA-Z]+/g) ?? []));
    expect([...params].filter((p) => p !== ':id' && !PARAMS_WITHIN_CALLER_TENANT[p])).toEqual([]);
  });

  it("never shows tenant A's ids or documents in tenant B's reads", async () => {
    const reads = routes.filter((r) => r.method === 'GET' && !r.path.includes(':id') && !r.isPublic && !SELF_ROUTES.has(key(r)));
    expect(reads.length).toBeGreaterThan(5);
    const secrets = [h.tenants.a.id, ...Object.values(resourceIdsOfA), 'secret-of-tenant-a'];
    for (const route of reads) {
      const role = pickRoleOfB(route);
      if (!role) continue;
      let path = route.path;
      for (const [param, value] of Object.entries(PARAMS_WITHIN_CALLER_TENANT)) path = path.replace(param, value);
      if (path.endsWith('/diff') || path.endsWith('/consistency')) path += '?from=1&to=1';
      const response = await call(h, 'GET', path, { token: await h.token('b', role) });
      const text = JSON.stringify(response.body);
      for (const secret of secrets) expect(text.includes(secret), `${key(route)} leaks ${secret}`).toBe(false);
      if (path === route.path) {
        // B's own view: a list (possibly empty), or "nothing yet" for one-off documents such as the audit export
        expect([200, 404], key(route)).toContain(response.status);
        if (response.status === 200 && 'items' in response.body) expect(Array.isArray(response.body.items), key(route)).toBe(true);
      } else {
        // B has no such policy version: its own (empty) view, never A's
        expect([200, 404], key(route)).toContain(response.status);
      }
    }
  });

  it("cannot create anything that points into tenant A", async () => {
    const bodies = crossTenantCreateBodies(h, resourceIdsOfA);
    const creates = routes.filter((r) => r.method === 'POST' && !r.path.includes(':id') && !r.isPublic && !SELF_ROUTES.has(key(r)));
    for (const route of creates) {
      if (TENANT_LOCAL_CREATES.has(key(route))) continue;
      const body = bodies[key(route)];
      expect(body, `${key(route)} is neither given a cross-tenant body nor listed as tenant-local`).toBeDefined();
      const role = pickRoleOfB(route);
      const response = await call(h, 'POST', route.path, { token: await h.token('b', role ?? Role.vendor_admin), body });
      if (!role) {
        expect(response.status, `${key(route)} (no role of B allowed)`).toBe(403);
        continue;
      }
      expect([400, 404, 409], `${key(route)} → ${response.status} ${JSON.stringify(response.body)}`).toContain(response.status);
    }
    expect(await snapshotOfA()).toBe(snapshotBefore);
    expect(await h.owner.site.count({ where: { name: 'Smuggled' } })).toBe(0);
  });

  it('lets an integrator see and act only on its organisation sites', async () => {
    const a = h.tenants.a;
    const integrator = await h.token('a', Role.integrator_admin); // Nusantara: the ID site only
    const sites = await call(h, 'GET', '/v1/sites', { token: integrator });
    expect(sites.body.items.map((s: { id: string }) => s.id)).toEqual([a.siteIds.ID]);
    expect((await call(h, 'GET', `/v1/sites/${a.siteIds.CL}`, { token: integrator })).status).toBe(404);
    const nodes = await call(h, 'GET', '/v1/nodes', { token: integrator });
    expect(nodes.body.items.map((n: { name: string }) => n.name)).toEqual(['gw-id-1']);
    const clNode = await h.owner.edgeNode.findFirstOrThrow({ where: { name: 'gw-cl-1' } });
    expect((await call(h, 'GET', `/v1/nodes/${clNode.id}`, { token: integrator })).status).toBe(404);
    expect((await call(h, 'PATCH', `/v1/nodes/${clNode.id}`, { token: integrator, body: { name: 'x' } })).status).toBe(404);
    expect((await call(h, 'POST', '/v1/enrollment-tokens', { token: integrator, body: { siteId: a.siteIds.CL } })).status).toBe(404);
    const own = await call(h, 'POST', '/v1/enrollment-tokens', { token: integrator, body: { siteId: a.siteIds.ID } });
    expect(own.status).toBe(201);
    expect(own.body.token).toMatch(/^me_/);
    const viewer = await h.token('a', Role.integrator_viewer); // Andes: the CL site only
    expect((await call(h, 'GET', '/v1/sites', { token: viewer })).body.items.map((s: { id: string }) => s.id)).toEqual([a.siteIds.CL]);
  });

  it('never lets an auditor write', async () => {
    const auditor = await h.token('a', Role.auditor);
    const writes = routes.filter((r) => r.method !== 'GET' && !r.isPublic && !SELF_ROUTES.has(key(r)) && !AUDITOR_ACTIONS.has(key(r)));
    expect(writes.length).toBeGreaterThan(10);
    const before = await snapshotOfA();
    for (const route of writes) {
      expect(route.roles ?? [], `${key(route)} allows auditors`).not.toContain(Role.auditor);
      const id = route.resource ? resourceIdsOfA[route.resource] : undefined;
      const path = route.path.replace(':id', id ?? '00000000-0000-4000-8000-000000000000');
      const body = route.method === 'PATCH' ? UPDATE_BODIES[route.resource ?? ''] : route.method === 'PUT' ? PUT_BODIES[key(route)] : (crossTenantCreateBodies(h, resourceIdsOfA)[key(route)] ?? {});
      const response = await call(h, route.method, path, { token: auditor, body });
      expect(response.status, key(route)).toBe(403);
    }
    expect(await snapshotOfA()).toBe(before);
    // ...while reading works
    expect((await call(h, 'GET', '/v1/sites', { token: auditor })).status).toBe(200);
  });
});

/** A role tenant B has that the route admits, preferring the most powerful one. */
function pickRoleOfB(route: RouteInfo): Role | undefined {
  const preference = [Role.vendor_admin, Role.vendor_engineer, Role.integrator_admin, Role.integrator_viewer, Role.auditor];
  return preference.find((role) => route.roles?.includes(role));
}
