import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal, unseal } from './sealed';

describe('sealed secrets', () => {
  const key = randomBytes(32);

  it('round-trips and never stores the plaintext', () => {
    const sealed = seal(key, 'private key pem', 'tenant-1/key-1');
    expect(sealed).not.toContain('private');
    expect(unseal(key, sealed, 'tenant-1/key-1')).toBe('private key pem');
  });

  it('refuses another key, another row, or a tampered ciphertext', () => {
    const sealed = seal(key, 'secret', 'tenant-1/key-1');
    expect(() => unseal(randomBytes(32), sealed, 'tenant-1/key-1')).toThrow();
    expect(() => unseal(key, sealed, 'tenant-2/key-1')).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => unseal(key, parts.join('.'), 'tenant-1/key-1')).toThrow();
  });
});
