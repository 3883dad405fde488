import { describe, expect, it } from 'vitest';
import { consistencyProof, EMPTY_ROOT, MerkleRanges, inclusionProof, leafHash, nodeHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from './merkle';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`event-${i}`)));

describe('RFC 9162 Merkle tree', () => {
  it('matches the RFC definitions on small trees', () => {
    expect(rootFromLeafHashes([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootFromLeafHashes([])).toEqual(EMPTY_ROOT);
    const l = leaves(3);
    expect(rootFromLeafHashes(l.slice(0, 1))).toEqual(l[0]);
    expect(rootFromLeafHashes(l)).toEqual(nodeHash(nodeHash(l[0]!, l[1]!), l[2]!));
    // leaf and node hashes are domain-separated
    expect(leafHash(Buffer.concat([l[0]!, l[1]!]))).not.toEqual(nodeHash(l[0]!, l[1]!));
  });

  it('proves and verifies inclusion of every leaf in trees of sizes 1..40', () => {
    for (let n = 1; n <= 40; n += 1) {
      const l = leaves(n);
      const root = rootFromLeafHashes(l);
      for (let m = 0; m < n; m += 1) {
        const proof = inclusionProof(m, l);
        expect(verifyInclusion(m, n, l[m]!, proof, root), `m=${m} n=${n}`).toBe(true);
        // wrong leaf, wrong index, wrong root all fail
        expect(verifyInclusion(m, n, leafHash(Buffer.from('forged')), proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, l[m]!, proof, root)).toBe(false);
        expect(verifyInclusion(m, n, l[m]!, proof, leafHash(Buffer.from('other root')))).toBe(false);
      }
    }
  });

  it('proves and verifies consistency between every pair of sizes up to 30', () => {
    const all = leaves(30);
    for (let n = 1; n <= 30; n += 1) {
      const newRoot = rootFromLeafHashes(all.slice(0, n));
      for (let m = 1; m <= n; m += 1) {
        const oldRoot = rootFromLeafHashes(all.slice(0, m));
        const proof = consistencyProof(m, all.slice(0, n));
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof), `m=${m} n=${n}`).toBe(true);
        if (m < n) {
          // a log that rewrote history is caught
          const rewritten = [...all.slice(0, n)];
          rewritten[m - 1] = leafHash(Buffer.from('rewritten'));
          expect(verifyConsistency(m, n, oldRoot, rootFromLeafHashes(rewritten), proof)).toBe(false);
        }
      }
    }
  });

  it('gives the same roots and consistency proofs from memoised ranges', () => {
    const all = leaves(37);
    const ranges = new MerkleRanges(all);
    for (let n = 1; n <= 37; n += 1) {
      expect(ranges.root(0, n).equals(rootFromLeafHashes(all.slice(0, n)))).toBe(true);
      for (let m = 1; m <= n; m += 1) {
        expect(ranges.consistencyProof(m, n).map((h) => h.toString('hex'))).toEqual(consistencyProof(m, all.slice(0, n)).map((h) => h.toString('hex')));
      }
    }
    expect(() => ranges.consistencyProof(5, 38)).toThrow(RangeError);
  });
});
