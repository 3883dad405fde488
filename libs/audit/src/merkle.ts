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

function largestPowerOfTwoBelow(n: number): number {
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
  if (m < 0 || m >= leaves.length) throw new RangeError(`leaf ${m} is not in a tree of size ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...inclusionProof(m, leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k))]
    : [...inclusionProof(m - k, leaves.slice(k)), rootFromLeafHashes(leaves.slice(0, k))];
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
    if (m <= 0 || m > n || n > this.leaves.length) throw new RangeError(`no consistency proof from size ${m} to ${n}`);
    const proof: Buffer[] = [];
    const walk = (m: number, start: number, end: number, complete: boolean): void => {
      const size = end - start;
      if (m === size) {
        if (!complete) proof.push(this.root(start, end));
        return;
      }
      const k = largestPowerOfTwoBelow(size);
      if (m <= k) {
        walk(m, start, start + k, complete);
        proof.push(this.root(start + k, end));
      } else {
        walk(m - k, start + k, end, false);
        proof.push(this.root(start, start + k));
      }
    };
    walk(m, 0, n, true);
    return proof;
  }
}
