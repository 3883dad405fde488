import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, withTenant, type PrismaClient } from '@meridian/db';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';

const MIGRATION = path.resolve(__dirname, '../../../prisma/migrations/20261202030000_site_node_counts/migration.sql');

/**
 * sites.node_count is kept by triggers on edge_nodes, as the API's role under row-level security,
 * through every way nodes come and go: one at a time, in bulk, moved, deleted, cascaded, concurrently.
 * After each step the stored counts must equal a count of the rows.
 */
describe('site node counts', () => {
  let db: TestDatabase;
  let owner: PrismaClient;
  let app: PrismaClient;
  let tenantId: string;
  let otherTenantId: string;
  const sites = { plant: '', depot: '', other: '' };

  beforeAll(async () => {
    db = await createTestDatabase('site_node_counts');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
    app = createPrismaClient({ url: db.appUrl, poolSize: 8 });
    tenantId = (await owner.tenant.create({ data: { slug: 'counts', name: 'Counts' } })).id;
    otherTenantId = (await owner.tenant.create({ data: { slug: 'counts-other', name: 'Other' } })).id;
    sites.plant = (await owner.site.create({ data: { tenantId, name: 'Plant', country: 'ID' } })).id;
    sites.depot = (await owner.site.create({ data: { tenantId, name: 'Depot', country: 'CL' } })).id;
    sites.other = (await owner.site.create({ data: { tenantId: otherTenantId, name: 'Other plant', country: 'DE' } })).id;
  }, 60_000);

  afterAll(async () => {
    await app?.$disconnect();
    await owner?.$disconnect();
    await db?.drop();
  });

  const asTenant = <T>(work: Parameters<typeof withTenant<T>>[2], tenant = tenantId) => withTenant(app, { tenantId: tenant }, work);

  /** Stored count and counted rows of every site, as the owner (all tenants). */
  async function expectCountsHold(expected: Partial<Record<keyof typeof sites, number>>): Promise<void> {
    const rows = await owner.$queryRaw<{ id: string; stored: number; counted: bigint }[]>`
      SELECT s.id, s.node_count AS stored, (SELECT count(*) FROM edge_nodes n WHERE n.site_id = s.id) AS counted FROM sites s`;
    for (const row of rows) expect(row.stored, `site ${row.id}`).toBe(Number(row.counted));
    for (const [key, count] of Object.entries(expected)) expect(rows.find((r) => r.id === sites[key as keyof typeof sites])?.stored, key).toBe(count);
  }

  it('counts nodes created one at a time and in bulk', async () => {
    await asTenant((tx) => tx.edgeNode.create({ data: { tenantId, siteId: sites.plant, name: 'gw-1' } }));
    await asTenant((tx) =>
      tx.edgeNode.createMany({
        data: [
          ...Array.from({ length: 30 }, (_, i) => ({ tenantId, siteId: sites.plant, name: `bulk-${i}` })),
          ...Array.from({ length: 12 }, (_, i) => ({ tenantId, siteId: sites.depot, name: `bulk-${i}` })),
        ],
      }),
    );
    await asTenant((tx) => tx.edgeNode.create({ data: { tenantId: otherTenantId, siteId: sites.other, name: 'gw-other' } }), otherTenantId);
    await expectCountsHold({ plant: 31, depot: 12, other: 1 });
  });

  it('counts a node moved to another site; other updates leave the counts alone', async () => {
    await asTenant((tx) => tx.edgeNode.updateMany({ where: { name: 'gw-1' }, data: { siteId: sites.depot } }));
    await asTenant((tx) => tx.edgeNode.updateMany({ where: { siteId: sites.plant }, data: { status: 'online', siteId: sites.plant } }));
    await expectCountsHold({ plant: 30, depot: 13 });
  });

  it('counts deletions, one and many', async () => {
    await asTenant((tx) => tx.edgeNode.deleteMany({ where: { name: 'gw-1' } }));
    await asTenant((tx) => tx.edgeNode.deleteMany({ where: { siteId: sites.plant, name: { startsWith: 'bulk-1' } } }));
    await expectCountsHold({ plant: 19, depot: 12, other: 1 });
  });

  it('keeps exact counts under concurrent enrollments into one site', async () => {
    await Promise.all(Array.from({ length: 24 }, (_, i) => asTenant((tx) => tx.edgeNode.create({ data: { tenantId, siteId: sites.depot, name: `concurrent-${i}` } }))));
    await expectCountsHold({ depot: 36 });
  });

  it('rolls the count back with the transaction that added the nodes', async () => {
    await expect(
      asTenant(async (tx) => {
        await tx.edgeNode.create({ data: { tenantId, siteId: sites.depot, name: 'rolled-back' } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await expectCountsHold({ depot: 36 });
  });

  it('lets a site be deleted with its nodes (cascade) and a tenant with its sites', async () => {
    const doomed = await owner.site.create({ data: { tenantId, name: 'Doomed', country: 'ID' } });
    await owner.edgeNode.createMany({ data: Array.from({ length: 5 }, (_, i) => ({ tenantId, siteId: doomed.id, name: `doomed-${i}` })) });
    await owner.site.delete({ where: { id: doomed.id } });
    await owner.tenant.delete({ where: { id: otherTenantId } });
    expect(await owner.edgeNode.count({ where: { siteId: { in: [doomed.id, sites.other] } } })).toBe(0);
    await expectCountsHold({ plant: 19, depot: 36 });
  });

  it("backfills the counts of nodes that existed before the migration (the migration's own statement)", async () => {
    await owner.$executeRawUnsafe('UPDATE sites SET node_count = 0');
    const migration = readFileSync(MIGRATION, 'utf8');
    const backfill = migration.slice(migration.indexOf('-- Backfill.'));
    for (const statement of backfill.split(';').map((s) => s.trim()).filter((s) => s && !/^(--[^\n]*\n?)+$/.test(s))) await owner.$executeRawUnsafe(statement);
    await expectCountsHold({ plant: 19, depot: 36 });
    const forced = await owner.$queryRaw<{ relname: string; forced: boolean }[]>`SELECT relname, relforcerowsecurity AS forced FROM pg_class WHERE relname IN ('sites', 'edge_nodes') ORDER BY 1`;
    expect(forced).toEqual([
      { relname: 'edge_nodes', forced: true },
      { relname: 'sites', forced: true },
    ]);
  });
});
