import { consistencyRanges, EMPTY_ROOT, inclusionRanges, largestPowerOfTwoBelow, nodeHash, type LeafRange } from './merkle';

/**
 * Levels of the tree whose perfect-subtree roots are stored (besides the leaves): every
 * TREE_TILE_HEIGHT-th, so a level-8 node is the root of 256 leaves, a level-16 node of 65,536. Any
 * other node is hashed from at most 2^(height-1) stored nodes of one tile below it, which makes an
 * inclusion or consistency proof read a few tiles of at most 2^height hashes each, whatever the
 * log's size, instead of every leaf. The same layout as Go's checksum-database tiles (tlog).
 */
export const TREE_TILE_HEIGHT = 4;

/** Nodes [from, to) of one stored level (0 for the leaves), all in one tile. */
export interface TileRequest {
  level: number;
  from: number;
  to: number;
}

/** Where the hashes come from: a level's nodes by index, level 0 being the leaf hashes. */
export interface TreeNodeReader {
  /**
   * For each request, the hashes of its nodes: element i is node from + i. A node not stored is
   * left undefined (a log indexed before tiles were kept), and the tree hashes it from the level
   * below; a missing leaf is an error. All the tiles a proof needs come in one call.
   */
  read(tiles: readonly TileRequest[]): Promise<ReadonlyArray<ReadonlyArray<Buffer | undefined>>>;
}

/** Whether nodes of this level (above the leaves) are stored. */
export const isStoredTreeLevel = (level: number, height = TREE_TILE_HEIGHT): boolean => level > 0 && level % height === 0;

/**
 * RFC 9162 proofs over a tree of `size` leaves built from stored tiles: the same proofs
 * `inclusionProof` and `consistencyProof` compute from all the leaves (the spec holds them to it).
 * Each tile is read once per instance; hashes computed on the way are kept for its later proofs.
 */
export class TiledMerkleTree {
  private readonly width: number;
  private readonly tiles = new Map<string, Promise<ReadonlyArray<Buffer | undefined>>>();
  private readonly nodes = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly reader: TreeNodeReader,
    readonly size: number,
    private readonly height = TREE_TILE_HEIGHT,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`a tree cannot have ${size} leaves`);
    if (!Number.isInteger(height) || height < 1 || height > 16) throw new RangeError(`tile height ${height} is not in 1..16`);
    this.width = 2 ** height;
  }

  inclusionProof(leafIndex: number): Promise<Buffer[]> {
    return this.roots(inclusionRanges(leafIndex, this.size));
  }

  /** PROOF(m, D[0:size]). */
  consistencyProof(m: number): Promise<Buffer[]> {
    return this.roots(consistencyRanges(m, this.size));
  }

  root(): Promise<Buffer> {
    return this.rangeRoot(0, this.size);
  }

  private async roots(ranges: readonly LeafRange[]): Promise<Buffer[]> {
    await this.prefetch(ranges);
    const hashes: Buffer[] = [];
    for (const [start, end] of ranges) hashes.push(await this.rangeRoot(start, end));
    return hashes;
  }

  /** MTH(D[start:end]): its perfect subtrees folded from the right, as MerkleAccumulator.root() folds them. */
  private async rangeRoot(start: number, end: number): Promise<Buffer> {
    const parts = await Promise.all(perfectSubtrees(start, end).map(({ level, index }) => this.node(level, index)));
    if (parts.length === 0) return EMPTY_ROOT;
    return parts.reduceRight((right, left) => nodeHash(left, right));
  }

  /** The root of the perfect subtree of 2^level leaves at `index` of its level. */
  private node(level: number, index: number): Promise<Buffer> {
    const key = `${level}:${index}`;
    let hash = this.nodes.get(key);
    if (!hash) {
      hash = this.hashNode(level, index);
      this.nodes.set(key, hash);
    }
    return hash;
  }

  private async hashNode(level: number, index: number): Promise<Buffer> {
    if (level % this.height === 0) {
      const tile = await this.tile(level, Math.floor(index / this.width));
      const stored = tile[index % this.width];
      if (stored) return stored;
      if (level === 0) throw new Error(`the log has no leaf at position ${index}`);
    }
    return nodeHash(await this.node(level - 1, 2 * index), await this.node(level - 1, 2 * index + 1));
  }

  /**
   * Reads in one call every tile the ranges need, as far as their nodes are stored: a proof then
   * costs one round of reads, not one per tile as the hashing reaches it (each a query).
   */
  private async prefetch(ranges: readonly LeafRange[]): Promise<void> {
    const wanted = new Map<string, TileRequest>();
    for (const [start, end] of ranges) {
      for (const { level, index } of perfectSubtrees(start, end)) {
        const base = level - (level % this.height);
        const tileIndex = Math.floor((index * 2 ** (level - base)) / this.width);
        const key = `${base}:${tileIndex}`;
        if (!this.tiles.has(key)) wanted.set(key, this.tileRequest(base, tileIndex));
      }
    }
    if (wanted.size === 0) return;
    const keys = [...wanted.keys()];
    const read = this.reader.read([...wanted.values()]);
    keys.forEach((key, i) => this.tiles.set(key, read.then((tiles) => tiles[i] ?? [])));
    await read;
  }

  /** One tile: up to `width` consecutive nodes of a stored level, as far as the tree's size completes them. */
  private tile(level: number, tileIndex: number): Promise<ReadonlyArray<Buffer | undefined>> {
    const key = `${level}:${tileIndex}`;
    let tile = this.tiles.get(key);
    if (!tile) {
      tile = this.reader.read([this.tileRequest(level, tileIndex)]).then((tiles) => tiles[0] ?? []);
      this.tiles.set(key, tile);
    }
    return tile;
  }

  private tileRequest(level: number, tileIndex: number): TileRequest {
    const from = tileIndex * this.width;
    return { level, from, to: Math.min(from + this.width, Math.floor(this.size / 2 ** level)) };
  }
}

/**
 * The perfect subtrees D[start:end] splits into the way MTH splits it, largest first: one per bit of
 * end - start, when start is a multiple of the largest power of two not above end - start (as every
 * range of a proof is).
 */
function perfectSubtrees(start: number, end: number): { level: number; index: number }[] {
  const subtrees: { level: number; index: number }[] = [];
  while (end > start) {
    const size = end - start;
    const k = (size & (size - 1)) === 0 ? size : largestPowerOfTwoBelow(size);
    if (start % k !== 0) throw new RangeError(`leaves [${start}, ${end}) are not one subtree of the tree`);
    subtrees.push({ level: Math.log2(k), index: start / k });
    start += k;
  }
  return subtrees;
}
