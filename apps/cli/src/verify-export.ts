import { leafHash, recordHash, rootFromLeafHashes, verifyChain, verifyCheckpoint, type ChainRecord, type Checkpoint } from '@meridian/audit';

export interface ExportedEvent extends ChainRecord {
  logIndex: number;
  sourceId: string;
}

export interface AuditExport {
  format: 'meridian.audit-export.v1';
  tenantId: string;
  checkpoint: Checkpoint;
  signingKeys: { keyId: string; publicKey: string }[];
  events: ExportedEvent[];
}

export type ExportVerification =
  | { ok: true; events: number; sources: number; treeSize: number; rootHash: string; keyId: string }
  | { ok: false; reason: string; sourceId?: string; seq?: number; logIndex?: number };

/**
 * Everything an auditor checks, from the file alone: every record's hash from its content, every
 * source's chain, the Merkle root of the log against the checkpoint, and the checkpoint's signature
 * against the tenant key (pinned by the auditor when given, which is the point of an independent check).
 */
export function verifyExport(data: AuditExport, options: { trustedKeys?: Map<string, Buffer> } = {}): ExportVerification {
  if (data.format !== 'meridian.audit-export.v1') return { ok: false, reason: `unsupported format ${String(data.format)}` };
  const events = [...data.events].sort((a, b) => a.logIndex - b.logIndex);
  for (const [i, event] of events.entries()) {
    if (event.logIndex !== i) return { ok: false, reason: `log position ${i} is missing or duplicated`, logIndex: i };
    if (recordHash(event.prevHash, event.seq, event.body) !== event.hash) {
      return { ok: false, reason: `event ${event.sourceId}#${event.seq} was altered (its hash no longer matches its content)`, sourceId: event.sourceId, seq: event.seq, logIndex: event.logIndex };
    }
  }
  const bySource = new Map<string, ExportedEvent[]>();
  for (const event of events) bySource.set(event.sourceId, [...(bySource.get(event.sourceId) ?? []), event]);
  for (const [sourceId, records] of bySource) {
    const check = verifyChain(records.sort((a, b) => a.seq - b.seq));
    if (!check.ok) return { ok: false, reason: `chain of ${sourceId}: ${check.reason}`, sourceId, seq: check.seq };
  }
  const root = rootFromLeafHashes(events.map((e) => leafHash(Buffer.from(`${e.sourceId}\n${e.seq}\n${e.hash}`, 'utf8')))).toString('hex');
  if (events.length !== data.checkpoint.treeSize) return { ok: false, reason: `export holds ${events.length} events, the checkpoint covers ${data.checkpoint.treeSize}` };
  if (root !== data.checkpoint.rootHash) return { ok: false, reason: `Merkle root ${root} does not match the checkpoint's ${data.checkpoint.rootHash}` };
  const keys = options.trustedKeys ?? new Map(data.signingKeys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'base64')]));
  const key = keys.get(data.checkpoint.keyId);
  if (!key) return { ok: false, reason: `checkpoint signed by key ${data.checkpoint.keyId}, which is not trusted` };
  if (data.checkpoint.logId !== data.tenantId) return { ok: false, reason: 'checkpoint is for another log' };
  if (!verifyCheckpoint(data.checkpoint, key)) return { ok: false, reason: 'checkpoint signature does not verify' };
  return { ok: true, events: events.length, sources: bySource.size, treeSize: data.checkpoint.treeSize, rootHash: root, keyId: data.checkpoint.keyId };
}
