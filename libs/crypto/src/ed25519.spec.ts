import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey, publicKeyOf, signEd25519, verifyEd25519 } from './ed25519';

describe('ed25519', () => {
  it('signs and verifies with raw public keys', () => {
    const pair = generateEd25519KeyPair();
    expect(pair.publicKey).toHaveLength(32);
    const key = loadPrivateKey(pair.privateKeyPem);
    expect(publicKeyOf(key).equals(pair.publicKey)).toBe(true);
    const signature = signEd25519(key, 'hello');
    expect(verifyEd25519(pair.publicKey, 'hello', signature)).toBe(true);
    expect(verifyEd25519(pair.publicKey, 'hellO', signature)).toBe(false);
    expect(verifyEd25519(generateEd25519KeyPair().publicKey, 'hello', signature)).toBe(false);
  });

  it('treats malformed keys and signatures as not authentic', () => {
    const pair = generateEd25519KeyPair();
    expect(verifyEd25519(Buffer.alloc(5), 'x', Buffer.alloc(64))).toBe(false);
    expect(verifyEd25519(pair.publicKey, 'x', Buffer.alloc(10))).toBe(false);
  });
});

describe('weak Ed25519 public keys', () => {
  it('flags small-order points and non-canonical encodings, not real keys', async () => {
    const { isWeakEd25519PublicKey } = await import('./ed25519');
    expect(isWeakEd25519PublicKey(Buffer.alloc(32))).toBe(true);
    expect(isWeakEd25519PublicKey(Buffer.from('0100000000000000000000000000000000000000000000000000000000000000', 'hex'))).toBe(true);
    expect(isWeakEd25519PublicKey(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'))).toBe(true);
    expect(isWeakEd25519PublicKey(Buffer.from('ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'))).toBe(true);
    for (let i = 0; i < 20; i += 1) expect(isWeakEd25519PublicKey(generateEd25519KeyPair().publicKey)).toBe(false);
  });
});
