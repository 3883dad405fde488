import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A secret for a person or a machine to hold: `<prefix>_<43 base64url chars>` (256 bits of entropy). */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Secrets are high-entropy, so a plain sha256 is enough at rest (no salt or slow hash needed). */
export function sha256Hex(value: string | Buffer): string {
  // one-shot: about half the cost of createHash().update().digest() for the short inputs hashed per request
  return hash('sha256', value, 'hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
