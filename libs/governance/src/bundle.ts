import type { KeyObject } from 'node:crypto';
import { sha256Hex, signEd25519, verifyEd25519 } from '@meridian/crypto';
import type { EffectivePolicy } from './merge';

/** What a node enforces: one site's effective policy, its consent flags, and the keys to trust next. */
export interface BundlePayload {
  apiVersion: 'meridian.dev/bundle/v1';
  tenantId: string;
  siteId: string;
  country: string;
  version: number;
  issuedAt: string;
  sources: { baseVersion: number | null; overlayVersion: number | null };
  consent: Record<string, boolean>;
  policy: EffectivePolicy;
  /** Signing keys the node should trust from now on (rotation: announced by a bundle signed with a key it already trusts). */
  signingKeys: { keyId: string; publicKey: string }[];
}

export interface SignedBundleEnvelope {
  payload: Uint8Array;
  keyId: string;
  signature: Uint8Array;
  version: number;
  digest: string;
}

/**
 * JSON with object keys sorted at every level and no whitespace: the same value always gives the
 * same bytes. Defined as JSON.stringify of a key-sorted copy (Object.fromEntries of the sorted,
 * defined members, recursively); hashes and signatures in the field depend on these exact bytes.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * The key-sorted copy, except that a part already in canonical form — a plain object whose keys
 * are in order and all defined, an array, a primitive — is used as it is instead of copied: the
 * bytes are the same, and tensors, chained records and bundles are mostly such parts (a copy of an
 * 8x8 input tensor cost more than hashing it). Anything else is copied exactly as the definition says.
 */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      // primitives (most of a tensor) are their own canonical form: no call for each
      const sorted = item !== null && typeof item === 'object' ? sortKeys(item) : item;
      if (sorted !== item && copy === undefined) copy = value.slice(0, i);
      copy?.push(sorted);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let canonical = isPlainObject(record) && !Object.prototype.hasOwnProperty.call(record, 'toJSON');
  const entries = new Array<[string, unknown]>(keys.length);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const child = record[key];
    const sorted = child !== null && typeof child === 'object' ? sortKeys(child) : child;
    entries[i] = [key, sorted];
    if (canonical && (child === undefined || sorted !== child || (i > 0 && !(keys[i - 1]! < key)))) canonical = false;
  }
  if (canonical) return value;
  return Object.fromEntries(entries.filter((entry) => entry[1] !== undefined).sort(byKey));
}

/** Keys of one object are unique, so two are never equal; `<` compares UTF-16 code units, as the default sort does. */
const byKey = (a: [string, unknown], b: [string, unknown]): number => (a[0] < b[0] ? -1 : 1);

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** The digest of what a site enforces, independent of version and time: equal digests mean nothing to push. */
export function contentDigest(payload: Omit<BundlePayload, 'version' | 'issuedAt'>): string {
  return sha256Hex(canonicalJson(payload));
}

export function signBundle(payload: BundlePayload, keyId: string, privateKey: KeyObject): SignedBundleEnvelope {
  const bytes = Buffer.from(canonicalJson(payload), 'utf8');
  return { payload: bytes, keyId, signature: signEd25519(privateKey, bytes), version: payload.version, digest: sha256Hex(bytes) };
}

export type BundleVerification = { ok: true; payload: BundlePayload } | { ok: false; reason: string };

/**
 * What an agent checks before a bundle replaces the one in force: intact (digest), signed by a key it
 * trusts (by key id), for its own site, and newer than what it has — an older or equal version is a
 * rollback attempt.
 */
export function verifyBundle(
  envelope: SignedBundleEnvelope,
  trustedKeys: ReadonlyMap<string, Uint8Array>,
  expect: { siteId: string; tenantId: string; currentVersion: number },
): BundleVerification {
  const key = trustedKeys.get(envelope.keyId);
  if (!key) return { ok: false, reason: `signed by unknown key ${envelope.keyId}` };
  if (sha256Hex(Buffer.from(envelope.payload)) !== envelope.digest) return { ok: false, reason: 'digest does not match the payload' };
  if (!verifyEd25519(key, envelope.payload, envelope.signature)) return { ok: false, reason: 'signature does not verify' };
  let payload: BundlePayload;
  try {
    payload = JSON.parse(Buffer.from(envelope.payload).toString('utf8')) as BundlePayload;
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  if (payload.apiVersion !== 'meridian.dev/bundle/v1') return { ok: false, reason: `unsupported bundle ${String(payload.apiVersion)}` };
  if (payload.version !== envelope.version) return { ok: false, reason: 'envelope and payload versions differ' };
  if (payload.siteId !== expect.siteId || payload.tenantId !== expect.tenantId) return { ok: false, reason: 'bundle is for another site' };
  if (payload.version <= expect.currentVersion) {
    return { ok: false, reason: `version ${payload.version} is not newer than ${expect.currentVersion} (rollback refused)` };
  }
  return { ok: true, payload };
}
