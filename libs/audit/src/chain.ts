import { sha256Hex } from '@meridian/crypto';
import { canonicalJson } from '@meridian/governance';

/**
 * One audit event as a source (an agent, or the control plane acting for a person) records it.
 * Canonical JSON makes the bytes — and so the hashes — independent of key order and whitespace.
 */
export interface AuditEvent {
  /** When it happened, at the source (ISO 8601). */
  at: string;
  /** policy.decision, inference, bundle.applied, bundle.refused, model.activated, model.rolled_back, consent.seen, admin.* … */
  type: string;
  /** Who acted: node:<id>, user:<id>, api_key:<id>. */
  actor: string;
  siteId?: string;
  category?: string;
  decision?: string;
  data?: Record<string, unknown>;
}

/** A link of a source's hash chain: each record commits to the previous one, so history cannot be edited, reordered or cut in the middle. */
export interface ChainRecord {
  seq: number;
  prevHash: string; // hex, 64 zeros before the first record
  hash: string; // hex
  body: string; // canonical JSON of the event
}

export const GENESIS_HASH = '0'.repeat(64);

export function encodeEvent(event: AuditEvent): string {
  return canonicalJson(event);
}

const RECORD_HASH_PREFIX = Buffer.from('meridian.audit.v1\u0000', 'utf8');
const HEX_HASH = /^[0-9a-f]{64}$/i;

/**
 * sha256("meridian.audit.v1" 0x00 || prevHash || seq as 8 bytes big-endian || body).
 * The input is laid out in one buffer and hashed in one call: ingest hashes every record it stores,
 * and a hash object with four updates cost a third more.
 */
export function recordHash(prevHash: string, seq: number, body: string): string {
  // A malformed prevHash (in a record under verification) hashes as its bytes decode, as it always did.
  const prevHashBytes = HEX_HASH.test(prevHash) ? 32 : Buffer.from(prevHash, 'hex').length;
  const bodyLength = Buffer.byteLength(body, 'utf8');
  const bodyAt = RECORD_HASH_PREFIX.length + prevHashBytes + 8;
  const input = Buffer.allocUnsafe(bodyAt + bodyLength);
  RECORD_HASH_PREFIX.copy(input, 0);
  input.write(prevHash, RECORD_HASH_PREFIX.length, prevHashBytes, 'hex');
  input.writeBigUInt64BE(BigInt(seq), RECORD_HASH_PREFIX.length + prevHashBytes);
  input.write(body, bodyAt, bodyLength, 'utf8');
  return sha256Hex(input);
}

export function appendRecord(previous: Pick<ChainRecord, 'seq' | 'hash'> | undefined, event: AuditEvent): ChainRecord {
  const seq = previous ? previous.seq + 1 : 1;
  const prevHash = previous ? previous.hash : GENESIS_HASH;
  const body = encodeEvent(event);
  return { seq, prevHash, hash: recordHash(prevHash, seq, body), body };
}

export type ChainCheck = { ok: true } | { ok: false; seq: number; reason: string };

/**
 * Checks that `records` continue the chain after `after` (undefined = from the start): consecutive
 * sequence numbers, each prevHash equal to the previous hash, each hash recomputed from its content.
 * Names the first record that breaks it.
 */
export function verifyChain(records: readonly ChainRecord[], after?: Pick<ChainRecord, 'seq' | 'hash'>): ChainCheck {
  let expectedSeq = after ? after.seq + 1 : 1;
  let expectedPrev = after ? after.hash : GENESIS_HASH;
  for (const record of records) {
    if (record.seq !== expectedSeq) return { ok: false, seq: record.seq, reason: record.seq < expectedSeq ? `record ${record.seq} repeats or reorders the chain (expected ${expectedSeq})` : `gap: expected record ${expectedSeq}, got ${record.seq}` };
    if (record.prevHash !== expectedPrev) return { ok: false, seq: record.seq, reason: `record ${record.seq} does not follow record ${record.seq - 1} (fork)` };
    if (recordHash(record.prevHash, record.seq, record.body) !== record.hash) return { ok: false, seq: record.seq, reason: `record ${record.seq} was altered (hash mismatch)` };
    expectedSeq += 1;
    expectedPrev = record.hash;
  }
  return { ok: true };
}
