import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, leafHash, MerkleAccumulator, rootFromLeafHashes, verifyInclusion } from './merkle';
import { isStoredTreeLevel, TiledMerkleTree, type TileRequest, type TreeNodeReader } from './merkle-tiles';

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
const hex = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString('hex'));

/** The nodes a checkpoint would store for these leaves: what MerkleAccumulator reports at the stored levels. */
function storedNodes(leaves: readonly Buffer[], height: number): Map<string, Buffer> {
  const stored = new Map<string, Buffer>();
  const tree = new MerkleAccumulator();
  tree.onSubtree = (level, index, hash) => {
    if (isStoredTreeLevel(level, height)) stored.set(`${level}:${index}`, hash);
  };
  for (const leaf of leaves) tree.push(leaf);
  return stored;
}

/** Serves leaves and stored nodes as the database does, counting what it is asked for. */
function reader(leaves: readonly Buffer[], stored: Map<string, Buffer>) {
  const reads: TileRequest[][] = [];
  const read: TreeNodeReader['read'] = async (tiles) => {
    reads.push([...tiles]);
    return tiles.map(({ level, from, to }) => Array.from({ length: to - from }, (_, i) => (level === 0 ? leaves[from + i] : stored.get(`${level}:${from + i}`))));
  };
  return { read, reads };
}

describe('TiledMerkleTree', () => {
  it('gives the proofs and roots computed from all the leaves, for every leaf and pair of sizes', async () => {
    for (const height of [1, 2, 3]) {
      const all = leavesOf(70);
      const source = reader(all, storedNodes(all, height));
      for (let n = 1; n <= all.length; n += 1) {
        const leaves = all.slice(0, n);
        const tree = new TiledMerkleTree(source, n, height);
        expect((await tree.root()).toString('hex')).toBe(rootFromLeafHashes(leaves).toString('hex'));
        for (let m = 0; m < n; m += 1) expect(hex(await tree.inclusionProof(m))).toEqual(hex(inclusionProof(m, leaves)));
        for (let m = 1; m <= n; m += 1) expect(hex(await tree.consistencyProof(m))).toEqual(hex(consistencyProof(m, leaves)));
      }
    }
  });

  it('hashes nodes that are not stored from the level below (a log indexed before tiles were kept)', async () => {
    const all = leavesOf(300);
    const stored = storedNodes(all, 2);
    // The first 40 leaves were checkpointed before nodes were stored: every node over them is missing.
    for (const key of [...stored.keys()]) {
      const [level, index] = key.split(':').map(Number) as [number, number];
      if ((index + 1) * 2 ** level <= 40) stored.delete(key);
    }
    const tree = new TiledMerkleTree(reader(all, stored), 300, 2);
    for (const m of [0, 17, 39, 40, 255, 299]) expect(hex(await tree.inclusionProof(m))).toEqual(hex(inclusionProof(m, all)));
    expect(hex(await tree.consistencyProof(33))).toEqual(hex(consistencyProof(33, all)));
  });

  it('reads a few tiles in one call for a proof in a large tree, not the leaves', async () => {
    const size = 40_000;
    const all = leavesOf(size);
    for (const height of [4, 8]) {
      const source = reader(all, storedNodes(all, height));
      const tree = new TiledMerkleTree(source, size, height);
      const m = 12_345;
      expect(hex(await tree.inclusionProof(m))).toEqual(hex(inclusionProof(m, all)));
      expect(hex(await tree.consistencyProof(24_321))).toEqual(hex(consistencyProof(24_321, all)));
      // One call per proof; per stored level, at most the tile on the leaf's path and the log's last one.
      expect(source.reads.length).toBe(2);
      const levels = Math.ceil(Math.log2(size) / height);
      for (const call of source.reads) {
        expect(call.length).toBeLessThanOrEqual(2 * levels);
        expect(call.every((t) => t.to - t.from <= 2 ** height)).toBe(true);
      }
    }
  });

  it('fails on a missing leaf, and a proof built on a tampered stored node does not verify', async () => {
    const all = leavesOf(600);
    const holes = [...all];
    delete holes[5];
    await expect(new TiledMerkleTree(reader(holes, storedNodes(all, 8)), 600).inclusionProof(3)).rejects.toThrow(/no leaf at position 5/);

    const stored = storedNodes(all, 8);
    stored.set('8:1', leafHash(Buffer.from('forged')));
    const tree = new TiledMerkleTree(reader(all, stored), 600);
    const proof = await tree.inclusionProof(10);
    expect(verifyInclusion(10, 600, all[10]!, proof, rootFromLeafHashes(all))).toBe(false);
  });

  it('refuses leaves and sizes outside the tree', async () => {
    const tree = new TiledMerkleTree(reader(leavesOf(5), new Map()), 5);
    await expect(async () => tree.inclusionProof(5)).rejects.toThrow(RangeError);
    await expect(async () => tree.consistencyProof(0)).rejects.toThrow(RangeError);
    expect(() => new TiledMerkleTree(reader([], new Map()), -1)).toThrow(RangeError);
  });
});
