import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { appendRecord, type ChainRecord } from '@meridian/audit';
import { createCheckpoint, createPrismaClient, insertAuditRows, withTenant, type PrismaClient, type TenantTx } from '@meridian/db';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';

/**
 * A database of its own with one tenant whose audit log the test grows: events from `sources` node
 * sources stored through the ingest's own insert (one transaction per source), checkpoints signed as
 * the worker signs them. Registers its own set-up and tear-down.
 */
export function auditLogFixture(name: string, sources: number) {
  const fixture = {
    db: undefined as unknown as TestDatabase,
    owner: undefined as unknown as PrismaClient,
    app: undefined as unknown as PrismaClient,
    tenantId: '',
    encryptionKey: randomBytes(32),
    asTenant: <T>(work: (tx: TenantTx) => Promise<T>) => withTenant(fixture.app, { tenantId: fixture.tenantId }, work),
    async ingest(count: number): Promise<void> {
      const bySource = new Map<string, ChainRecord[]>();
      for (let i = 0; i < count; i += 1) {
        const sourceId = `node-${i % sources}`;
        const record = appendRecord(heads.get(sourceId), { at: new Date().toISOString(), type: 'model.inference', actor: `node:${sourceId}`, data: { i } });
        heads.set(sourceId, record);
        const list = bySource.get(sourceId) ?? [];
        list.push(record);
        bySource.set(sourceId, list);
      }
      for (const [sourceId, records] of bySource) {
        await fixture.asTenant(async (tx) => {
          await tx.auditSource.createMany({ data: [{ tenantId: fixture.tenantId, sourceId }], skipDuplicates: true });
          const occurredAt = new Date().toISOString();
          await insertAuditRows(tx, { tenantId: fixture.tenantId, sourceId, actor: `node:${sourceId}`, siteId: null }, records.map((r) => ({ ...r, type: 'model.inference', category: null, decision: null, occurredAt })));
        });
      }
    },
    checkpoint: () => fixture.asTenant((tx) => createCheckpoint(tx, fixture.tenantId, fixture.encryptionKey)),
  };
  const heads = new Map<string, ChainRecord>();

  beforeAll(async () => {
    fixture.db = await createTestDatabase(name);
    fixture.owner = createPrismaClient({ url: fixture.db.ownerUrl, poolSize: 2 });
    fixture.app = createPrismaClient({ url: fixture.db.appUrl, poolSize: 4 });
    fixture.tenantId = (await fixture.owner.tenant.create({ data: { slug: name.replaceAll('_', '-'), name } })).id;
  }, 60_000);

  afterAll(async () => {
    await fixture.app?.$disconnect();
    await fixture.owner?.$disconnect();
    await fixture.db?.drop();
  });

  return fixture;
}
