import { beforeAll, describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, rootFromLeafHashes, TiledMerkleTree, TREE_TILE_HEIGHT, verifyInclusion, type TileRequest, type TreeNodeReader } from '@meridian/audit';
import { createCheckpoint, logLeafHashes, logTreeReader, verifyTenantLog, type PrismaClient, type VerificationProgress } from '@meridian/db';
import { auditLogFixture } from './audit-log-fixture';

const hex = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString('hex'));

/**
 * Checkpoints store the roots of the log's subtrees of 16 leaves (and 256, 4,096, …) as they
 * complete; proofs are built from those and from at most a few tiles of leaves, and must be exactly
 * the proofs the whole log gives.
 */
describe('Merkle tiles of the audit log in PostgreSQL', () => {
  const log = auditLogFixture('audit_tree', 4);
  const { ingest, asTenant } = log;
  const sizes: number[] = [];
  let owner: PrismaClient;
  let tenantId: string;
  beforeAll(() => {
    ({ owner, tenantId } = log);
  });

  async function checkpoint(): Promise<number> {
    const made = await log.checkpoint();
    sizes.push(made!.treeSize);
    return made!.treeSize;
  }

  /** Proofs from the tiles (counting what they read) and from every leaf, in one transaction. */
  async function proofs(size: number, leafIndexes: number[]) {
    return asTenant(async (tx) => {
      const reads: TileRequest[][] = [];
      const reader = logTreeReader(tx);
      const counting: TreeNodeReader = { read: (tiles) => (reads.push([...tiles]), reader.read(tiles)) };
      const tree = new TiledMerkleTree(counting, size);
      const tiled = [];
      for (const m of leafIndexes) tiled.push(hex(await tree.inclusionProof(m)));
      const leaves = (await logLeafHashes(tx)).slice(0, size);
      return { tiled, whole: leafIndexes.map((m) => hex(inclusionProof(m, leaves))), reads, leaves, tree };
    });
  }

  const storedAtLowestLevel = () => owner.auditTreeNode.count({ where: { tenantId, level: TREE_TILE_HEIGHT } });
  const tile = 2 ** TREE_TILE_HEIGHT;

  it('stores each subtree of 16 leaves (and 256) once, by the checkpoint that completes it, and proves from them', async () => {
    for (const added of [100, 200, 57, 300, 443]) {
      await ingest(added);
      const size = await checkpoint();
      expect(await storedAtLowestLevel()).toBe(Math.floor(size / tile));
      expect(await owner.auditTreeNode.count({ where: { tenantId, level: 2 * TREE_TILE_HEIGHT } })).toBe(Math.floor(size / tile ** 2));
    }
    const size = sizes.at(-1)!;
    expect(size).toBe(1100);
    const picks = [0, 255, 256, 700, 1023, 1024, 1099];
    const one = await proofs(size, picks.slice(0, 1));
    // One leaf's proof: one call (two statements) for, per stored level, its path's tile and the log's last one.
    expect(one.reads.length).toBe(1);
    expect(one.reads[0]!.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size) / TREE_TILE_HEIGHT));
    expect(one.reads[0]!.every((t) => t.to - t.from <= tile)).toBe(true);
    const all = await proofs(size, picks);
    expect(all.tiled).toEqual(all.whole);
    const root = (await all.tree.root()).toString('hex');
    const latest = await owner.auditCheckpoint.findFirstOrThrow({ where: { tenantId, treeSize: BigInt(size) } });
    expect(root).toBe(latest.rootHash);
    for (const [i, m] of picks.entries()) expect(verifyInclusion(m, size, all.leaves[m]!, all.tiled[i]!.map((h) => Buffer.from(h, 'hex')), Buffer.from(root, 'hex'))).toBe(true);

    // Consistency between every pair of checkpoints.
    await asTenant(async (tx) => {
      const leaves = await logLeafHashes(tx);
      for (const to of sizes) {
        const tree = new TiledMerkleTree(logTreeReader(tx), to);
        for (const from of sizes.filter((s) => s <= to)) expect(hex(await tree.consistencyProof(from))).toEqual(hex(consistencyProof(from, leaves.slice(0, to))));
      }
    });
  });

  it('proves over a log whose nodes were never stored, and its next checkpoint stores them all, the same', async () => {
    const before = await owner.auditTreeNode.findMany({ where: { tenantId }, orderBy: [{ level: 'asc' }, { index: 'asc' }] });
    expect(before.length).toBeGreaterThan(0);
    // As a log checkpointed before this migration: no stored nodes.
    await owner.auditTreeNode.deleteMany({ where: { tenantId } });
    const size = sizes.at(-1)!;
    const missing = await proofs(size, [3, 600, 1099]);
    expect(missing.tiled).toEqual(missing.whole);

    await ingest(50);
    await checkpoint();
    const after = await owner.auditTreeNode.findMany({ where: { tenantId }, orderBy: [{ level: 'asc' }, { index: 'asc' }] });
    expect(await storedAtLowestLevel()).toBe(Math.floor(sizes.at(-1)! / tile));
    const overOldLeaves = after.filter((n) => (Number(n.index) + 1) * 2 ** n.level <= size);
    expect(overOldLeaves.map((n) => [n.level, n.index, Buffer.from(n.hash).toString('hex')])).toEqual(before.map((n) => [n.level, n.index, Buffer.from(n.hash).toString('hex')]));
  });

  it('lets the application role add nodes but never change or remove one', async () => {
    await expect(asTenant((tx) => tx.$executeRaw`UPDATE audit_tree_nodes SET hash = hash`)).rejects.toThrow(/permission denied/);
    await expect(asTenant((tx) => tx.$executeRaw`DELETE FROM audit_tree_nodes`)).rejects.toThrow(/permission denied/);
    await expect(owner.$executeRaw`INSERT INTO audit_tree_nodes (tenant_id, level, idx, hash) VALUES (${tenantId}::uuid, 5, 0, ${Buffer.alloc(32)})`).rejects.toThrow(/audit_tree_nodes_node_check/);
  });

  it('re-verifies the stored log in pages, naming what was altered, removed or reordered', async () => {
    const size = sizes.at(-1)!;
    const latest = await owner.auditCheckpoint.findFirstOrThrow({ where: { tenantId, treeSize: BigInt(size) } });
    // Pages of 7 rows: chains continue across pages, and sources change inside them.
    const verify = () => asTenant((tx) => verifyTenantLog(tx, { treeSize: size, rootHash: latest.rootHash }, { pageSize: 7 }));
    expect(await verify()).toEqual({ ok: true, events: size, sources: 4 });

    // Progress at the start and after every page: the chains stage over every event, then the tree stage over the checkpoint's leaves.
    const seen: VerificationProgress[] = [];
    const events = await owner.auditEvent.count({ where: { tenantId } });
    await asTenant((tx) => verifyTenantLog(tx, { treeSize: size, rootHash: latest.rootHash }, { pageSize: 7, onProgress: (p) => void seen.push(p) }));
    const chains = seen.filter((p) => p.stage === 'chains');
    const tree = seen.filter((p) => p.stage === 'tree');
    expect(seen).toEqual([...chains, ...tree]);
    expect(chains.map((p) => p.done)).toEqual(Array.from({ length: chains.length }, (_, i) => Math.min(7 * i, events)));
    expect(chains.every((p) => p.total === events)).toBe(true);
    expect(tree.at(-1)).toEqual({ stage: 'tree', done: size, total: size, percent: 100 });
    const percents = seen.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(chains.at(-1)!.percent).toBe(Math.floor((events * 100) / (events + size)));
    // A listener that fails ends the verification with its own error, never with a verdict on the log.
    await expect(asTenant((tx) => verifyTenantLog(tx, { treeSize: size, rootHash: latest.rootHash }, { onProgress: (p) => { if (p.stage === 'tree') throw new Error('progress store down'); } }))).rejects.toThrow('progress store down');

    // node-1's 8th record altered: named, wherever it falls in its page.
    const victim = await owner.auditEvent.findFirstOrThrow({ where: { tenantId, sourceId: 'node-1', seq: 8n } });
    await owner.auditEvent.updateMany({ where: { tenantId, sourceId: 'node-1', seq: 8n }, data: { body: victim.body.replace('"i":', '"i": ') } });
    expect(await verify()).toMatchObject({ ok: false, sourceId: 'node-1', seq: 8, reason: expect.stringMatching(/altered/) });
    await owner.auditEvent.updateMany({ where: { tenantId, sourceId: 'node-1', seq: 8n }, data: { body: victim.body } });

    // The same record removed: a gap in node-1's chain.
    await owner.auditEvent.deleteMany({ where: { tenantId, sourceId: 'node-1', seq: 8n } });
    expect(await verify()).toMatchObject({ ok: false, sourceId: 'node-1', seq: 9, reason: 'gap: expected record 8, got 9' });
    await owner.auditEvent.create({ data: victim });
    expect(await verify()).toMatchObject({ ok: true });

    // Two events' log positions swapped: every chain holds, the checkpoint's root does not.
    const [a, b] = await owner.auditEvent.findMany({ where: { tenantId, logIndex: { in: [10n, 11n] } }, orderBy: { logIndex: 'asc' } });
    const move = (row: typeof a, logIndex: bigint | null) => owner.auditEvent.updateMany({ where: { tenantId, sourceId: row!.sourceId, seq: row!.seq }, data: { logIndex } });
    await move(a, null);
    await move(b, 10n);
    await move(a, 11n);
    expect(await verify()).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`log does not match checkpoint ${size} \\(root`)) });
    await move(a, null);
    await move(b, 11n);
    await move(a, 10n);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('takes at most maxEvents pending events per checkpoint, the oldest first, and says when more wait', async () => {
    const before = await checkpoint();
    await ingest(25);
    const made: { treeSize: number; morePending: boolean; rootHash: string }[] = [];
    for (let more = true; more; ) {
      const next = (await asTenant((tx) => createCheckpoint(tx, log.tenantId, log.encryptionKey, { maxEvents: 10 })))!;
      made.push(next);
      more = next.morePending;
      expect(next.rootHash).toBe(await asTenant(async (tx) => rootFromLeafHashes(await logLeafHashes(tx)).toString('hex')));
    }
    expect(made.map((m) => [m.treeSize - before, m.morePending])).toEqual([
      [10, true],
      [20, true],
      [25, false],
    ]);
    // Positions follow arrival, across the cuts.
    const inLog = await owner.auditEvent.findMany({ where: { tenantId, logIndex: { gte: BigInt(before) } }, orderBy: { logIndex: 'asc' } });
    const byArrival = [...inLog].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : Number(a.seq - b.seq)));
    expect(inLog.map((e) => `${e.sourceId}/${e.seq}`)).toEqual(byArrival.map((e) => `${e.sourceId}/${e.seq}`));
  });
});
