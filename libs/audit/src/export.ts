import { createHash } from 'node:crypto';
import { canonicalJson } from '@meridian/governance';
import { recordHash, verifyChain, type ChainRecord } from './chain';
import { verifyCheckpoint, type Checkpoint } from './checkpoint';
import { leafHash, rootFromLeafHashes, verifyConsistency } from './merkle';

/**
 * The auditor's bundle: a self-contained file from which a third party re-derives every claim with
 * no access to Meridian — events with their chains, every signed checkpoint up to the newest, the
 * consistency proofs that link them, the tenant's public keys, and a manifest that pins the rest.
 */
export const AUDIT_EXPORT_FORMAT = 'meridian.audit-export.v2' as const;

/** The bytes a Merkle leaf commits to: which source, which link of its chain, and that link's hash. */
export function logLeafBytes(entry: { sourceId: string; seq: number | bigint; hash: string }): Buffer {
  return Buffer.from(`${entry.sourceId}\n${entry.seq}\n${entry.hash}`, 'utf8');
}

export interface ExportedEvent extends ChainRecord {
  logIndex: number;
  sourceId: string;
}

export interface ExportedConsistencyProof {
  fromTreeSize: number;
  toTreeSize: number;
  path: string[]; // hex
}

export interface AuditExportManifest {
  format: typeof AUDIT_EXPORT_FORMAT;
  tenantId: string;
  exportedAt: string;
  requestedBy: string | null;
  treeSize: number;
  counts: { events: number; sources: number; checkpoints: number; consistencyProofs: number; signingKeys: number };
  /** sha256 (hex) of the canonical JSON of each section, so a section cannot be swapped without the manifest saying so. */
  digests: { events: string; checkpoints: string; consistencyProofs: string; signingKeys: string };
}

export interface AuditExportBundle {
  manifest: AuditExportManifest;
  signingKeys: { keyId: string; publicKey: string }[];
  /** Oldest first; the last one covers every event in the bundle. */
  checkpoints: Checkpoint[];
  /** Between each checkpoint and the next. */
  consistencyProofs: ExportedConsistencyProof[];
  /** In log order. */
  events: ExportedEvent[];
}

export function sectionDigest(section: unknown): string {
  return createHash('sha256').update(canonicalJson(section)).digest('hex');
}

export function buildManifest(
  bundle: Omit<AuditExportBundle, 'manifest'>,
  meta: { tenantId: string; exportedAt: string; requestedBy: string | null },
): AuditExportManifest {
  return {
    format: AUDIT_EXPORT_FORMAT,
    ...meta,
    treeSize: bundle.checkpoints[bundle.checkpoints.length - 1]?.treeSize ?? 0,
    counts: {
      events: bundle.events.length,
      sources: new Set(bundle.events.map((e) => e.sourceId)).size,
      checkpoints: bundle.checkpoints.length,
      consistencyProofs: bundle.consistencyProofs.length,
      signingKeys: bundle.signingKeys.length,
    },
    digests: {
      events: sectionDigest(bundle.events),
      checkpoints: sectionDigest(bundle.checkpoints),
      consistencyProofs: sectionDigest(bundle.consistencyProofs),
      signingKeys: sectionDigest(bundle.signingKeys),
    },
  };
}

export type ExportVerification =
  | {
      ok: true;
      /** The log (tenant) the bundle's checkpoints are of. */
      logId: string;
      events: number;
      sources: number;
      checkpoints: number;
      treeSize: number;
      rootHash: string;
      keyIds: string[];
      /** The Merkle root of the first `treeSize` events, when asked for (`rootAt`) and the bundle reaches that far. */
      rootAt?: { treeSize: number; rootHash: string };
    }
  | { ok: false; reason: string; sourceId?: string; seq?: number; logIndex?: number };

/**
 * Everything an auditor checks, from the file alone: the manifest against each section; every
 * record's hash from its content and every source's chain; the Merkle root of the whole log against
 * the newest checkpoint; each older checkpoint against the next by its consistency proof; and every
 * checkpoint's signature against the tenant keys — pinned by the auditor when given, which is the
 * point of an independent check. The first bad record is named.
 */
export function verifyAuditExport(input: unknown, options: { trustedKeys?: ReadonlyMap<string, Uint8Array> } = {}): ExportVerification {
  const shape = checkShape(input);
  if (shape) return { ok: false, reason: shape };
  const data = input as AuditExportBundle;
  const { manifest } = data;

  const events = [...data.events].sort((a, b) => a.logIndex - b.logIndex);
  for (const [index, event] of events.entries()) {
    if (event.logIndex !== index) return { ok: false, reason: `log position ${index} is missing or duplicated`, logIndex: index };
    if (recordHash(event.prevHash, event.seq, event.body) !== event.hash) {
      return { ok: false, reason: `event ${event.sourceId}#${event.seq} was altered (its hash no longer matches its content)`, sourceId: event.sourceId, seq: event.seq, logIndex: event.logIndex };
    }
  }
  const bySource = new Map<string, ExportedEvent[]>();
  for (const event of events) {
    const list = bySource.get(event.sourceId);
    if (list) list.push(event);
    else bySource.set(event.sourceId, [event]);
  }
  for (const [sourceId, records] of bySource) {
    const check = verifyChain(records.sort((a, b) => a.seq - b.seq));
    if (!check.ok) return { ok: false, reason: `chain of ${sourceId}: ${check.reason}`, sourceId, seq: check.seq };
  }

  const checkpoints = data.checkpoints;
  const newest = checkpoints[checkpoints.length - 1];
  if (!newest) return { ok: false, reason: 'the bundle holds no checkpoint' };
  const root = rootFromLeafHashes(events.map((e) => leafHash(logLeafBytes(e)))).toString('hex');
  if (events.length !== newest.treeSize) return { ok: false, reason: `the bundle holds ${events.length} events, its newest checkpoint covers ${newest.treeSize}` };
  if (root !== newest.rootHash) return { ok: false, reason: `Merkle root ${root} does not match the newest checkpoint's ${newest.rootHash}` };

  const keys = options.trustedKeys ?? new Map(data.signingKeys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'base64')]));
  for (const checkpoint of checkpoints) {
    const key = keys.get(checkpoint.keyId);
    if (!key) return { ok: false, reason: `checkpoint ${checkpoint.treeSize} is signed by key ${checkpoint.keyId}, which is not trusted` };
    if (checkpoint.logId !== manifest.tenantId) return { ok: false, reason: `checkpoint ${checkpoint.treeSize} is for another log` };
    if (!verifyCheckpoint(checkpoint, key)) return { ok: false, reason: `checkpoint ${checkpoint.treeSize}: signature does not verify` };
  }
  for (let index = 1; index < checkpoints.length; index += 1) {
    const from = checkpoints[index - 1]!;
    const to = checkpoints[index]!;
    if (to.treeSize <= from.treeSize) return { ok: false, reason: `checkpoints are not in growing order at ${to.treeSize}` };
    const proof = data.consistencyProofs.find((p) => p.fromTreeSize === from.treeSize && p.toTreeSize === to.treeSize);
    if (!proof) return { ok: false, reason: `no consistency proof from checkpoint ${from.treeSize} to ${to.treeSize}` };
    const path = proof.path.map((hex) => Buffer.from(hex, 'hex'));
    if (!verifyConsistency(from.treeSize, to.treeSize, Buffer.from(from.rootHash, 'hex'), Buffer.from(to.rootHash, 'hex'), path)) {
      return { ok: false, reason: `checkpoint ${from.treeSize} is not a prefix of checkpoint ${to.treeSize}: the log was rewritten in between` };
    }
  }
  // Last, so that altered content is reported as the record it is rather than as a section digest.
  for (const section of ['events', 'checkpoints', 'consistencyProofs', 'signingKeys'] as const) {
    if (sectionDigest(data[section]) !== manifest.digests[section]) return { ok: false, reason: `the ${section} section does not match the manifest's digest` };
  }
  return { ok: true, logId: manifest.tenantId, events: events.length, sources: bySource.size, checkpoints: checkpoints.length, treeSize: newest.treeSize, rootHash: root, keyIds: [...new Set(checkpoints.map((c) => c.keyId))] };
}

/** Structural check of untrusted input, so a malformed file gets a clear message instead of a crash. */
function checkShape(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return 'not an audit export (expected a JSON object)';
  const data = input as Partial<AuditExportBundle>;
  if (!data.manifest || typeof data.manifest !== 'object') return 'not an audit export (no manifest)';
  if (data.manifest.format !== AUDIT_EXPORT_FORMAT) return `unsupported format ${String(data.manifest.format)} (expected ${AUDIT_EXPORT_FORMAT})`;
  if (!data.manifest.digests || typeof data.manifest.tenantId !== 'string') return 'manifest is incomplete';
  if (!Array.isArray(data.events) || !Array.isArray(data.checkpoints) || !Array.isArray(data.consistencyProofs) || !Array.isArray(data.signingKeys)) {
    return 'the bundle lacks one of its sections (events, checkpoints, consistencyProofs, signingKeys)';
  }
  for (const [index, e] of data.events.entries()) {
    if (!e || typeof e.sourceId !== 'string' || !Number.isSafeInteger(e.seq) || !Number.isSafeInteger(e.logIndex) || typeof e.hash !== 'string' || typeof e.prevHash !== 'string' || typeof e.body !== 'string') {
      return `event at position ${index} is malformed`;
    }
  }
  for (const [index, c] of data.checkpoints.entries()) {
    if (!c || !Number.isSafeInteger(c.treeSize) || typeof c.rootHash !== 'string' || typeof c.signature !== 'string' || typeof c.keyId !== 'string') return `checkpoint at position ${index} is malformed`;
  }
  for (const [index, p] of data.consistencyProofs.entries()) {
    if (!p || !Number.isSafeInteger(p.fromTreeSize) || !Number.isSafeInteger(p.toTreeSize) || !Array.isArray(p.path) || p.path.some((h) => typeof h !== 'string')) return `consistency proof at position ${index} is malformed`;
  }
  return undefined;
}
