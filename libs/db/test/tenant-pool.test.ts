import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient, createPrismaClient, poolOf, withTenant } from '@meridian/db';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';
import { TenantPool } from '../src/tenant-pool';

// The tenant's set_config travels with BEGIN; these prove it lands inside that transaction only,
// on that pool only, and that anything unexpected fails closed instead of running tenant-less.
describe('tenant transactions on a pooled connection', () => {
  let db: TestDatabase;
  let owner: PrismaClient;
  let app: PrismaClient;
  let pool: TenantPool;
  const ids = { a: '', b: '' };
  const setting = (tenantId: string) => `SELECT set_config('app.tenant_id', '${tenantId}', true)`;

  beforeAll(async () => {
    db = await createTestDatabase('tenant_pool');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
    app = createPrismaClient({ url: db.appUrl, poolSize: 2 });
    pool = new TenantPool({ connectionString: db.appUrl, max: 1 });
    for (const key of ['a', 'b'] as const) {
      const tenant = await owner.tenant.create({ data: { slug: `pool-${key}`, name: `Pool ${key}` } });
      ids[key] = tenant.id;
      const site = await owner.site.create({ data: { tenantId: tenant.id, name: `Plant ${key}`, country: 'ID' } });
      await owner.edgeNode.createMany({ data: Array.from({ length: 3 }, (_, i) => ({ tenantId: tenant.id, siteId: site.id, name: `gw-${key}-${i}` })) });
    }
  });

  afterAll(async () => {
    await pool?.end();
    await app?.$disconnect();
    await owner?.$disconnect();
    await db?.drop();
  });

  const currentTenant = async (client: { query(text: string): Promise<{ rows: { t: string | null }[] }> }) =>
    (await client.query(`SELECT current_setting('app.tenant_id', true) AS t`)).rows[0]!.t ?? '';

  it('sets the tenant inside the transaction that BEGIN opens, and not after it', async () => {
    const seen = await pool.withPreamble(setting(ids.a), async (preamble) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        expect(preamble.sent).toBe(true);
        const inside = await currentTenant(client);
        await client.query('COMMIT');
        return { inside, after: await currentTenant(client) };
      } finally {
        client.release();
      }
    });
    expect(seen).toEqual({ inside: ids.a, after: '' });
    const next = await pool.connect();
    try {
      expect(await currentTenant(next)).toBe('');
      expect(Object.hasOwn(next, 'query')).toBe(false);
    } finally {
      next.release();
    }
  });

  it('refuses a first statement other than BEGIN rather than run it without its tenant', async () => {
    await pool.withPreamble(setting(ids.a), async () => {
      const client = await pool.connect();
      try {
        await expect(client.query('SELECT 1')).rejects.toThrow(/expected BEGIN/);
        expect(await currentTenant(client)).toBe('');
      } finally {
        client.release();
      }
    });
  });

  it('disarms a connection released before its first statement', async () => {
    await pool.withPreamble(setting(ids.a), async () => (await pool.connect()).release());
    const next = await pool.connect();
    try {
      await next.query('BEGIN');
      expect(await currentTenant(next)).toBe('');
      await next.query('ROLLBACK');
    } finally {
      next.release();
    }
  });

  it('leaves a transaction opened on another pool alone', async () => {
    const other = new TenantPool({ connectionString: db.appUrl, max: 1 });
    try {
      await pool.withPreamble(setting(ids.a), async (preamble) => {
        const client = await other.connect();
        try {
          await client.query('BEGIN');
          expect(await currentTenant(client)).toBe('');
          await client.query('ROLLBACK');
        } finally {
          client.release();
        }
        expect(preamble.sent).toBe(false);
      });
    } finally {
      await other.end();
    }
  });

  it('keeps concurrent tenants apart on a pool smaller than the number of callers', async () => {
    expect(poolOf(app)).toBeInstanceOf(TenantPool);
    const reads = Array.from({ length: 40 }, (_, i) => {
      const tenantId = i % 2 === 0 ? ids.a : ids.b;
      return withTenant(app, { tenantId }, async (tx) => ({ tenantId, rows: await tx.edgeNode.findMany({ select: { tenantId: true } }) }));
    });
    for (const { tenantId, rows } of await Promise.all(reads)) {
      expect(rows).toHaveLength(3);
      expect(rows.every((row) => row.tenantId === tenantId)).toBe(true);
    }
    expect(await app.edgeNode.findMany()).toEqual([]);
  });

  it('still sets the tenant for a client that was not made by createPrismaClient', async () => {
    const plain = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.appUrl, max: 1 }) });
    try {
      expect(poolOf(plain)).toBeUndefined();
      const names = await withTenant(plain, { tenantId: ids.b }, (tx) => tx.edgeNode.findMany({ select: { name: true }, orderBy: { name: 'asc' } }));
      expect(names.map((n) => n.name)).toEqual(['gw-b-0', 'gw-b-1', 'gw-b-2']);
      expect(await plain.edgeNode.findMany()).toEqual([]);
    } finally {
      await plain.$disconnect();
    }
  });
});
