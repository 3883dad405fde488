import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** Ed25519 with keys as they travel in the protocol: raw 32-byte public keys, PKCS#8 PEM private keys at rest. */
export interface Ed25519KeyPair {
  publicKey: Buffer;
  privateKeyPem: string;
}

/** An Ed25519 SubjectPublicKeyInfo is this 12-byte header followed by the raw 32-byte key. */
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The keys come out of the generator already encoded. Exporting a just-generated KeyObject (as JWK)
 * can deadlock Node 20: a garbage collection during the export finalizes the key's own generation
 * job, whose destructor takes the mutex the export holds (seen as a bench hanging, main thread in
 * futex_wait under KeyGenJob::~KeyGenJob, in about one run in three of 200,000 keys).
 */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  if (publicKey.length !== ED25519_SPKI_HEADER.length + 32 || !publicKey.subarray(0, ED25519_SPKI_HEADER.length).equals(ED25519_SPKI_HEADER)) throw new Error('unexpected Ed25519 public key encoding');
  return { publicKey: Buffer.from(publicKey.subarray(ED25519_SPKI_HEADER.length)), privateKeyPem: privateKey };
}

export function loadPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
  return key;
}

export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.x) throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function publicKeyOf(privateKey: KeyObject): Buffer {
  return rawPublicKey(createPublicKey(privateKey));
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export function signEd25519(privateKey: KeyObject, data: Uint8Array | string): Buffer {
  return sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey);
}

/** False for any malformed key or signature instead of throwing: callers treat both as "not authentic". */
export function verifyEd25519(publicKey: Uint8Array | KeyObject, data: Uint8Array | string, signature: Uint8Array): boolean {
  try {
    const key = publicKey instanceof Uint8Array ? publicKeyFromRaw(publicKey) : publicKey;
    if (signature.length !== 64) return false;
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, key, signature);
  } catch {
    return false;
  }
}

const FIELD_PRIME = (1n << 255n) - 19n;
/** Encodings of the eight points of small order (with and without the sign bit): keys for which signatures can be forged. */
const SMALL_ORDER_POINTS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];

/**
 * True for public keys no honest node would generate and that let anyone forge signatures: points of
 * small order and non-canonical encodings. Refuse them wherever a key is registered.
 */
export function isWeakEd25519PublicKey(raw: Uint8Array): boolean {
  if (raw.length !== 32) return true;
  const hex = Buffer.from(raw).toString('hex');
  if (SMALL_ORDER_POINTS.includes(hex)) return true;
  const bytes = Buffer.from(raw);
  bytes[31] = bytes[31]! & 0x7f;
  const y = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
  return y >= FIELD_PRIME;
}
