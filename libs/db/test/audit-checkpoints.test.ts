import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, leafHash, logLeafBytes, rootFromLeafHashes, type ChainRecord } from '@meridian/audit';
import { createCheckpoint, createPrismaClient, insertAuditRows, logLeafHashes, withTenant, type PrismaClient } from '@meridian/db';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';

/**
 * Checkpoints carry the Merkle tree on (the roots of its perfect subtrees), so each one hashes only
 * the events added since the last; its root must still be the root of the whole log.
 */
describe('audit checkpoints over a growing log', () => {
  let db: TestDatabase;
  let owner: PrismaClient;
  let app: PrismaClient;
  let tenantId: string;
  const encryptionKey = randomBytes(32);
  const heads = new Map<string, ChainRecord>();

  beforeAll(async () => {
    db = await createTestDatabase('audit_checkpoints');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
    app = createPrismaClient({ url: db.appUrl, poolSize: 4 });
    tenantId = (await owner.tenant.create({ data: { slug: 'checkpoints', name: 'Checkpoints' } })).id;
  }, 60_000);

  afterAll(async () => {
    await app?.$disconnect();
    await owner?.$disconnect();
    await db?.drop();
  });

  const asTenant = <T>(work: Parameters<typeof withTenant<T>>[2]) => withTenant(app, { tenantId }, work);

  /** `count` events from three node sources, through the ingest's own insert. */
  async function ingest(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const sourceId = `node-${i % 3}`;
      const record = appendRecord(heads.get(sourceId), { at: new Date().toISOString(), type: 'model.inference', actor: `node:${sourceId}`, data: { i } });
      heads.set(sourceId, record);
      await asTenant(async (tx) => {
        await tx.auditSource.createMany({ data: [{ tenantId, sourceId }], skipDuplicates: true });
        await insertAuditRows(tx, { tenantId, sourceId, actor: `node:${sourceId}`, siteId: null }, [{ ...record, type: 'model.inference', category: null, decision: null, occurredAt: new Date().toISOString() }]);
      });
    }
  }
  const wholeLogRoot = () => asTenant(async (tx) => rootFromLeafHashes(await logLeafHashes(tx)).toString('hex'));
  const checkpoint = () => asTenant((tx) => createCheckpoint(tx, tenantId, encryptionKey));

  it('signs the root of the whole log at every size while hashing only the new events', async () => {
    for (const added of [1, 2, 5, 13, 64, 37]) {
      await ingest(added);
      const made = await checkpoint();
      expect(made?.rootHash).toBe(await wholeLogRoot());
      const stored = await owner.auditCheckpoint.findFirstOrThrow({ where: { tenantId, treeSize: BigInt(made!.treeSize) } });
      const bits = made!.treeSize.toString(2).split('').filter((b) => b === '1').length;
      expect(stored.subtreeHashes?.length).toBe(32 * bits);
    }
    // Only the new events are read: an old event altered behind the log's back does not enter the next
    // root (GET /v1/audit/verify and the export are what re-read everything, and they name it).
    const first = await owner.auditEvent.findFirstOrThrow({ where: { tenantId, logIndex: 0n } });
    await owner.auditEvent.updateMany({ where: { tenantId, sourceId: first.sourceId, seq: first.seq }, data: { hash: 'f'.repeat(64) } });
    await ingest(3);
    const next = await checkpoint();
    await owner.auditEvent.updateMany({ where: { tenantId, sourceId: first.sourceId, seq: first.seq }, data: { hash: first.hash } });
    expect(next?.rootHash).toBe(await wholeLogRoot());
  });

  it('rebuilds the tree once over a log checkpointed before checkpoints carried it, and checks it against that checkpoint', async () => {
    await owner.auditCheckpoint.updateMany({ where: { tenantId }, data: { subtreeHashes: null } });
    await ingest(4);
    const made = await checkpoint();
    expect(made?.rootHash).toBe(await wholeLogRoot());
    await owner.auditCheckpoint.updateMany({ where: { tenantId }, data: { subtreeHashes: null } });
    const first = await owner.auditEvent.findFirstOrThrow({ where: { tenantId, logIndex: 5n } });
    await owner.auditEvent.updateMany({ where: { tenantId, sourceId: first.sourceId, seq: first.seq }, data: { hash: 'e'.repeat(64) } });
    await ingest(1);
    await expect(checkpoint()).rejects.toThrow(/no longer hash to the checkpoint/);
    const leaves = await asTenant((tx) => logLeafHashes(tx));
    expect(leaves[5]).toEqual(leafHash(logLeafBytes({ sourceId: first.sourceId, seq: first.seq, hash: 'e'.repeat(64) })));
  });
});
