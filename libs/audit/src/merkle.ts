import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency v2), section 2.1: leaves hashed with a 0x00
 * prefix, interior nodes with 0x01, the split at the largest power of two below n. Inclusion and
 * consistency proofs and their verification follow the RFC's algorithms step by step, so any
 * CT-style verifier can check our proofs.
 */
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const leafHash = (leaf: Uint8Array): Buffer => sha256(LEAF, leaf);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);
export const EMPTY_ROOT = sha256();

export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already-hashed leaves (leaf hashes), as in RFC 9162 2.1.1. */
export function rootFromLeafHashes(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return Buffer.from(leaves[0]!);
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(rootFromLeafHashes(leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k)));
}

/** PATH(m, D[n]): the audit path for leaf m in a tree of the given leaf hashes (RFC 9162 2.1.3.1). */
export function inclusionProof(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  const ranges = new MerkleRanges(leaves);
  return inclusionRanges(m, leaves.length).map(([start, end]) => ranges.root(start, end));
}

export type LeafRange = readonly [start: number, end: number];

/**
 * The leaf ranges [start, end) whose subtree roots make up PATH(m, D[0:n]) (RFC 9162 2.1.3.1), in
 * proof order. Each starts at a multiple of the largest power of two not above its size, so each is
 * a perfect subtree or splits into perfect subtrees the way MTH does: what lets a proof be built
 * from stored subtree roots (merkle-tiles.ts) as well as from the leaves.
 */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m >= n) throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = n;
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m < start + k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
    }
  }
  return ranges.reverse();
}

/** The leaf ranges whose subtree roots make up PROOF(m, D[0:n]) (RFC 9162 2.1.4.1), in proof order. */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m <= 0 || m > n) throw new RangeError(`no consistency proof from size ${m} to ${n}`);
  const ranges: LeafRange[] = [];
  const walk = (m: number, start: number, end: number, complete: boolean): void => {
    const size = end - start;
    if (m === size) {
      if (!complete) ranges.push([start, end]);
      return;
    }
    const k = largestPowerOfTwoBelow(size);
    if (m <= k) {
      walk(m, start, start + k, complete);
      ranges.push([start + k, end]);
    } else {
      walk(m - k, start + k, end, false);
      ranges.push([start, start + k]);
    }
  };
  walk(m, 0, n, true);
  return ranges;
}

/** Verifies an inclusion proof (RFC 9162 2.1.3.2). */
export function verifyInclusion(leafIndex: number, treeSize: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (leafIndex < 0 || leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(Buffer.from(root));
}

/** PROOF(m, D[n]): a consistency proof between the first m leaves and all n (RFC 9162 2.1.4.1). */
export function consistencyProof(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  return new MerkleRanges(leaves).consistencyProof(m, leaves.length);
}

/** Verifies a consistency proof between two roots (RFC 9162 2.1.4.2). */
export function verifyConsistency(firstSize: number, secondSize: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (firstSize <= 0 || firstSize > secondSize) return false;
  if (firstSize === secondSize) return proof.length === 0 && Buffer.from(firstRoot).equals(Buffer.from(secondRoot));
  let path = [...proof].map((p) => Buffer.from(p));
  // If first size is an exact power of two, prepend the first root.
  if ((firstSize & (firstSize - 1)) === 0) path = [Buffer.from(firstRoot), ...path];
  if (path.length === 0) return false;
  let fn = firstSize - 1;
  let sn = secondSize - 1;
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr: Buffer = path[0]!;
  let sr: Buffer = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.equals(Buffer.from(firstRoot)) && sr.equals(Buffer.from(secondRoot));
}

/**
 * Subtree hashes of one list of leaves, memoised by range: many proofs over the same log (an export
 * holds one per pair of checkpoints) share most of their subtrees, so each is hashed once.
 */
export class MerkleRanges {
  private readonly memo = new Map<string, Buffer>();

  constructor(private readonly leaves: readonly Uint8Array[]) {}

  /** MTH(D[start:end]). */
  root(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return Buffer.from(this.leaves[start]!);
    const key = `${start}:${end}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const k = largestPowerOfTwoBelow(n);
    const hash = nodeHash(this.root(start, start + k), this.root(start + k, end));
    this.memo.set(key, hash);
    return hash;
  }

  /** PROOF(m, D[0:n]), the same result as consistencyProof(m, leaves.slice(0, n)). */
  consistencyProof(m: number, n: number): Buffer[] {
    if (n > this.leaves.length) throw new RangeError(`no consistency proof from size ${m} to ${n}`);
    return consistencyRanges(m, n).map(([start, end]) => this.root(start, end));
  }
}

/**
 * The Merkle root of a growing log, kept as the roots of its perfect subtrees (at most log2(n) of
 * them): adding a leaf and asking the root of the leaves so far both cost O(log n), whatever n is.
 * Folding the subtree roots from the right gives the RFC 9162 root, whose split is at the largest
 * power of two below n, which is the leftmost perfect subtree.
 */
export class MerkleAccumulator {
  private readonly subtrees: { size: number; hash: Buffer }[] = [];
  size = 0;
  /** Told of every perfect subtree of two leaves or more as it completes: its level (log2 of its leaves), its index at that level, its root. */
  onSubtree?: (level: number, index: number, hash: Buffer) => void;

  /**
   * The accumulator of a tree of `size` leaves from its perfect subtrees' roots, left to right (as
   * `subtreeHashes()` gave them): one per bit set in `size`, largest first. How a checkpoint carries
   * the tree on, so the next one only hashes the leaves added since.
   */
  static restore(size: number, hashes: readonly Uint8Array[]): MerkleAccumulator {
    const sizes: number[] = [];
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(1, size))); bit >= 1; bit /= 2) if (Math.floor(size / bit) % 2 === 1) sizes.push(bit);
    if (!Number.isSafeInteger(size) || size < 0 || sizes.length !== hashes.length) throw new RangeError(`a tree of ${size} leaves has ${sizes.length} perfect subtrees, not ${hashes.length}`);
    const accumulator = new MerkleAccumulator();
    sizes.forEach((subtreeSize, i) => accumulator.subtrees.push({ size: subtreeSize, hash: Buffer.from(hashes[i]!) }));
    accumulator.size = size;
    return accumulator;
  }

  /** The roots of the perfect subtrees, left to right (see restore). */
  subtreeHashes(): Buffer[] {
    return this.subtrees.map((s) => s.hash);
  }

  push(leaf: Buffer): void {
    let node = { size: 1, hash: leaf };
    let level = 0;
    while (this.subtrees.length > 0 && this.subtrees[this.subtrees.length - 1]!.size === node.size) {
      const left = this.subtrees.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
      level += 1;
      this.onSubtree?.(level, (this.size + 1) / node.size - 1, node.hash);
    }
    this.subtrees.push(node);
    this.size += 1;
  }

  root(): Buffer {
    if (this.subtrees.length === 0) return EMPTY_ROOT;
    let root = this.subtrees[this.subtrees.length - 1]!.hash;
    for (let i = this.subtrees.length - 2; i >= 0; i -= 1) root = nodeHash(this.subtrees[i]!.hash, root);
    return root;
  }
}
