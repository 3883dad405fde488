import { isStoredTreeLevel, leafHash, logLeafBytes, TREE_TILE_HEIGHT, type MerkleAccumulator, type TreeNodeReader } from '@meridian/audit';
import type { TenantTx } from './tenant-scope';

type TreeNode = { level: number; index: number; hash: Buffer };

/**
 * The tenant's Merkle log as tiles (libs/audit merkle-tiles.ts): leaf hashes from the log's events
 * by position, stored subtree roots from audit_tree_nodes. A call costs at most two indexed
 * statements, one for the leaves and one for the stored nodes, whatever number of tiles it asks for.
 */
export function logTreeReader(tx: TenantTx): TreeNodeReader {
  return {
    async read(tiles) {
      const answers = tiles.map((t) => new Array<Buffer | undefined>(Math.max(0, t.to - t.from)).fill(undefined));
      const place = (level: number, index: number, hash: Buffer) => {
        tiles.forEach((t, i) => {
          if (t.level === level && index >= t.from && index < t.to) answers[i]![index - t.from] = hash;
        });
      };
      const leafTiles = tiles.filter((t) => t.level === 0 && t.to > t.from);
      const nodeTiles = tiles.filter((t) => t.level > 0 && t.to > t.from);
      if (leafTiles.length > 0) {
        const rows = await tx.auditEvent.findMany({
          where: { OR: leafTiles.map((t) => ({ logIndex: { gte: BigInt(t.from), lt: BigInt(t.to) } })) },
          select: { sourceId: true, seq: true, hash: true, logIndex: true },
        });
        for (const row of rows) place(0, Number(row.logIndex), leafHash(logLeafBytes(row)));
      }
      if (nodeTiles.length > 0) {
        const rows = await tx.auditTreeNode.findMany({
          where: { OR: nodeTiles.map((t) => ({ level: t.level, index: { gte: BigInt(t.from), lt: BigInt(t.to) } })) },
          select: { level: true, index: true, hash: true },
        });
        for (const row of rows) place(row.level, Number(row.index), Buffer.from(row.hash));
      }
      return answers;
    },
  };
}

/** Collects the stored-level subtrees the tree completes from now on, for storeTreeNodes. */
export function collectTreeNodes(tree: MerkleAccumulator): TreeNode[] {
  const nodes: TreeNode[] = [];
  tree.onSubtree = (level, index, hash) => {
    if (isStoredTreeLevel(level)) nodes.push({ level, index, hash });
  };
  return nodes;
}

const INSERT_ROWS = 10_000;

/**
 * Stores subtree roots, in statements of up to 10,000 rows run one after another; one already there
 * is left as it is (a log's tiles rebuilt after the upgrade). Not Prisma's createMany: at 66,000
 * rows (a million-event log's first checkpoint) it took ~30 s and +700 MiB, sending its batches
 * concurrently on the transaction's one connection.
 */
export async function storeTreeNodes(tx: TenantTx, tenantId: string, nodes: readonly TreeNode[]): Promise<void> {
  for (let start = 0; start < nodes.length; start += INSERT_ROWS) {
    const slice = nodes.slice(start, start + INSERT_ROWS);
    await tx.$executeRaw`
      INSERT INTO audit_tree_nodes (tenant_id, level, idx, hash)
      SELECT ${tenantId}::uuid, u.level, u.idx, decode(u.hash, 'hex')
      FROM unnest(${slice.map((n) => n.level)}::smallint[], ${slice.map((n) => BigInt(n.index))}::bigint[], ${slice.map((n) => n.hash.toString('hex'))}::text[]) AS u(level, idx, hash)
      ON CONFLICT DO NOTHING`;
  }
}

/**
 * Whether every stored-level subtree the first `size` leaves complete is stored. They are written
 * from the first checkpoint on, all levels of one checkpoint together, so counting the lowest level is enough.
 */
export async function treeNodesCover(tx: TenantTx, size: number): Promise<boolean> {
  const expected = Math.floor(size / 2 ** TREE_TILE_HEIGHT);
  return expected === 0 || (await tx.auditTreeNode.count({ where: { level: TREE_TILE_HEIGHT } })) >= expected;
}
