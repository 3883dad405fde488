import { describe, expect, it } from 'vitest';
import { constantTimeEqual, generateSecret, sha256Hex } from './secrets';
import { hashPassword, verifyPassword } from './passwords';

describe('secrets', () => {
  it('generates distinct prefixed secrets', () => {
    const a = generateSecret('mk');
    expect(a).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret('mk')).not.toBe(a);
  });
  it('hashes deterministically', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('compares in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
  });
});

describe('passwords', () => {
  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse')).toBe(true);
    expect(await verifyPassword(hash, 'wrong horse')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
});
