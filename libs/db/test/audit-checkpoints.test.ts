import { beforeAll, describe, expect, it } from 'vitest';
import { leafHash, logLeafBytes, rootFromLeafHashes } from '@meridian/audit';
import { logLeafHashes, type PrismaClient } from '@meridian/db';
import { auditLogFixture } from './audit-log-fixture';

/**
 * Checkpoints carry the Merkle tree on (the roots of its perfect subtrees), so each one hashes only
 * the events added since the last; its root must still be the root of the whole log.
 */
describe('audit checkpoints over a growing log', () => {
  const log = auditLogFixture('audit_checkpoints', 3);
  const { ingest, checkpoint, asTenant } = log;
  let owner: PrismaClient;
  let tenantId: string;
  beforeAll(() => {
    ({ owner, tenantId } = log);
  });

  const wholeLogRoot = () => asTenant(async (tx) => rootFromLeafHashes(await logLeafHashes(tx)).toString('hex'));

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
