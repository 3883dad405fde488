import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, withTenant, type PrismaClient } from '@meridian/db';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';

// Proves the database itself keeps tenants apart: queries below carry no tenant filter at all.
describe('row-level security', () => {
  let db: TestDatabase;
  let owner: PrismaClient;
  let app: PrismaClient;
  const ids = { a: '', b: '' };

  beforeAll(async () => {
    db = await createTestDatabase('rls');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
    app = createPrismaClient({ url: db.appUrl, poolSize: 2 });
    for (const key of ['a', 'b'] as const) {
      const tenant = await owner.tenant.create({ data: { slug: `tenant-${key}`, name: `Tenant ${key}` } });
      ids[key] = tenant.id;
      const site = await owner.site.create({ data: { tenantId: tenant.id, name: `Plant ${key}`, country: key === 'a' ? 'ID' : 'CL' } });
      await owner.edgeNode.create({ data: { tenantId: tenant.id, siteId: site.id, name: `gw-${key}` } });
    }
  });

  afterAll(async () => {
    await app?.$disconnect();
    await owner?.$disconnect();
    await db?.drop();
  });

  it('connects as a role that RLS applies to', async () => {
    const [role] = await app.$queryRaw<{ rolsuper: boolean; rolbypassrls: boolean; owns: boolean }[]>`
      SELECT r.rolsuper, r.rolbypassrls, EXISTS (SELECT 1 FROM pg_tables WHERE tableowner = current_user) AS owns
      FROM pg_roles r WHERE r.rolname = current_user`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owns: false });
  });

  it('protects every table that has a tenant_id column, now and in future migrations', async () => {
    const tables = await owner.$queryRaw<{ table: string; rls: boolean; forced: boolean; policies: bigint; granted: boolean }[]>`
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
             (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
             has_table_privilege('meridian_app', c.oid, 'SELECT') AS granted
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND EXISTS (SELECT 1 FROM information_schema.columns col WHERE col.table_name = c.relname AND col.column_name = 'tenant_id')
      ORDER BY 1`;
    expect(tables.length).toBeGreaterThanOrEqual(8);
    for (const t of tables) expect({ ...t, policies: Number(t.policies) > 0 }).toEqual({ table: t.table, rls: true, forced: true, policies: true, granted: true });
  });

  it('returns only the current tenant rows from unfiltered queries', async () => {
    const sites = await withTenant(app, { tenantId: ids.a }, (tx) => tx.site.findMany());
    expect(sites.map((s) => s.name)).toEqual(['Plant a']);
    const nodes = await withTenant(app, { tenantId: ids.b }, (tx) => tx.edgeNode.findMany());
    expect(nodes.map((n) => n.name)).toEqual(['gw-b']);
    const tenants = await withTenant(app, { tenantId: ids.b }, (tx) => tx.tenant.findMany());
    expect(tenants.map((t) => t.slug)).toEqual(['tenant-b']);
    const count = await withTenant(app, { tenantId: ids.a }, (tx) => tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM sites`);
    expect(Number(count[0]!.n)).toBe(1);
  });

  it('returns nothing when no tenant is set', async () => {
    expect(await app.site.findMany()).toEqual([]);
    expect(await app.edgeNode.findMany()).toEqual([]);
    expect(await app.tenant.findMany()).toEqual([]);
    // and the owner really does hold rows of both tenants
    expect(await owner.site.count()).toBe(2);
  });

  it('refuses to write a row into another tenant', async () => {
    await expect(
      withTenant(app, { tenantId: ids.a }, (tx) => tx.site.create({ data: { tenantId: ids.b, name: 'Smuggled', country: 'CL' } })),
    ).rejects.toThrow(/row-level security/);
    expect(await owner.site.count({ where: { name: 'Smuggled' } })).toBe(0);
  });

  it('cannot update or delete another tenant rows', async () => {
    const updated = await withTenant(app, { tenantId: ids.a }, (tx) => tx.site.updateMany({ where: { name: 'Plant b' }, data: { name: 'Hijacked' } }));
    expect(updated.count).toBe(0);
    const deleted = await withTenant(app, { tenantId: ids.a }, (tx) => tx.edgeNode.deleteMany({}));
    expect(deleted.count).toBe(1); // only its own node
    expect(await owner.edgeNode.count({ where: { tenantId: ids.b } })).toBe(1);
  });

  it('does not leak the tenant setting to the next transaction on a pooled connection', async () => {
    await withTenant(app, { tenantId: ids.a }, (tx) => tx.site.findMany());
    const leaked = await app.$queryRaw<{ t: string | null }[]>`SELECT current_setting('app.tenant_id', true) AS t`;
    expect(leaked[0]!.t ?? '').toBe('');
  });

  it('keeps cross-tenant links out at the database level', async () => {
    const siteOfB = await owner.site.findFirstOrThrow({ where: { tenantId: ids.b } });
    await expect(owner.edgeNode.create({ data: { tenantId: ids.a, siteId: siteOfB.id, name: 'cross' } })).rejects.toThrow();
  });
});
