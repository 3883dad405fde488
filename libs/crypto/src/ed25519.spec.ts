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
