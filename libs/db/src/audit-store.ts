import {
  appendRecord,
  GENESIS_HASH,
  leafHash,
  logLeafBytes,
  recordHash,
  rootFromLeafHashes,
  signCheckpoint,
  verifyChain,
  type AuditEvent,
  type Checkpoint,
  type ChainRecord,
} from '@meridian/audit';
import type { AuditCheckpoint, AuditEvent as AuditEventRow } from './generated/prisma/client';
import { activeSigningKey, signingPrivateKey } from './signing-keys';
import type { TenantTx } from './tenant-scope';

/** The control plane's own chain in each tenant's log: who changed which policy, consent, key, user. */
export const CONTROL_PLANE_SOURCE = 'control-plane';

/** The bytes a Merkle leaf commits to (one definition, in libs/audit, shared with the offline verifier). */
export function leafBytes(row: Pick<AuditEventRow, 'sourceId' | 'seq' | 'hash'>): Buffer {
  return logLeafBytes(row);
}

export function toChainRecord(row: Pick<AuditEventRow, 'seq' | 'prevHash' | 'hash' | 'body'>): ChainRecord {
  return { seq: Number(row.seq), prevHash: row.prevHash, hash: row.hash, body: row.body };
}

/** Appends an event to the control plane's chain, in the caller's transaction (so it commits with the change it records). */
export async function recordControlPlaneEvent(tx: TenantTx, tenantId: string, event: Omit<AuditEvent, 'at'>): Promise<void> {
  await tx.auditSource.createMany({ data: [{ tenantId, sourceId: CONTROL_PLANE_SOURCE }], skipDuplicates: true });
  const [head] = await tx.$queryRaw<{ last_seq: bigint; last_hash: string }[]>`
    SELECT last_seq, last_hash FROM audit_sources WHERE tenant_id = ${tenantId}::uuid AND source_id = ${CONTROL_PLANE_SOURCE} FOR UPDATE`;
  const previous = head && head.last_seq > 0n ? { seq: Number(head.last_seq), hash: head.last_hash } : undefined;
  const full: AuditEvent = { at: new Date().toISOString(), ...event };
  const record = appendRecord(previous, full);
  await tx.auditEvent.create({
    data: {
      tenantId,
      sourceId: CONTROL_PLANE_SOURCE,
      seq: BigInt(record.seq),
      prevHash: record.prevHash,
      hash: record.hash,
      body: record.body,
      type: full.type,
      actor: full.actor,
      siteId: full.siteId ?? null,
      category: full.category ?? null,
      decision: full.decision ?? null,
      occurredAt: new Date(full.at),
    },
  });
  await tx.auditSource.update({ where: { tenantId_sourceId: { tenantId, sourceId: CONTROL_PLANE_SOURCE } }, data: { lastSeq: BigInt(record.seq), lastHash: record.hash } });
}

/** Gives every event not yet in the tenant's log the next positions (arrival order); returns the log size. */
export async function appendPendingToLog(tx: TenantTx): Promise<number> {
  const [{ size }] = (await tx.$queryRaw<{ size: bigint }[]>`SELECT COALESCE(MAX(log_index) + 1, 0) AS size FROM audit_events`) as [{ size: bigint }];
  await tx.$executeRaw`
    UPDATE audit_events e SET log_index = ranked.idx
    FROM (
      SELECT tenant_id, source_id, seq, ${size}::bigint + row_number() OVER (ORDER BY received_at, source_id, seq) - 1 AS idx
      FROM audit_events WHERE log_index IS NULL
    ) ranked
    WHERE e.tenant_id = ranked.tenant_id AND e.source_id = ranked.source_id AND e.seq = ranked.seq`;
  const [{ total }] = (await tx.$queryRaw<{ total: bigint }[]>`SELECT COALESCE(MAX(log_index) + 1, 0) AS total FROM audit_events`) as [{ total: bigint }];
  return Number(total);
}

/** Leaf hashes of the first `size` entries of the tenant's log (all, by default). */
export async function logLeafHashes(tx: TenantTx, size?: number): Promise<Buffer[]> {
  const rows = await tx.auditEvent.findMany({
    where: { logIndex: size === undefined ? { not: null } : { lt: BigInt(size) } },
    orderBy: { logIndex: 'asc' },
    select: { sourceId: true, seq: true, hash: true },
  });
  return rows.map((row) => leafHash(leafBytes(row)));
}

export function toCheckpoint(row: AuditCheckpoint, logId: string): Checkpoint {
  return { logId, treeSize: Number(row.treeSize), rootHash: row.rootHash, timestamp: row.createdAt.toISOString(), keyId: row.keyId, signature: row.signature };
}

/** Takes pending events into the log and signs a checkpoint of it (or returns the latest when nothing is new). */
export async function createCheckpoint(tx: TenantTx, tenantId: string, encryptionKey: Buffer): Promise<Checkpoint | undefined> {
  const size = await appendPendingToLog(tx);
  const latest = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
  if (size === 0) return undefined;
  if (latest && Number(latest.treeSize) === size) return toCheckpoint(latest, tenantId);
  const root = rootFromLeafHashes(await logLeafHashes(tx, size)).toString('hex');
  const key = await activeSigningKey(tx, tenantId, encryptionKey);
  const createdAt = new Date();
  const signed = signCheckpoint({ logId: tenantId, treeSize: size, rootHash: root, timestamp: createdAt.toISOString(), keyId: key.keyId }, signingPrivateKey(key, encryptionKey));
  await tx.auditCheckpoint.create({ data: { tenantId, treeSize: BigInt(size), rootHash: root, keyId: key.keyId, signature: signed.signature, createdAt } });
  return signed;
}

export type LogVerification = { ok: true; events: number; sources: number } | { ok: false; sourceId: string; seq: number; reason: string };

/**
 * Re-verifies the tenant's log from the stored rows: every source's chain (the first record that
 * breaks it is named) and, when a checkpoint is given, that the log's first treeSize leaves hash to its root.
 */
export async function verifyTenantLog(tx: TenantTx, checkpoint?: Pick<Checkpoint, 'treeSize' | 'rootHash'>): Promise<LogVerification> {
  const rows = await tx.auditEvent.findMany({ orderBy: [{ sourceId: 'asc' }, { seq: 'asc' }], select: { sourceId: true, seq: true, prevHash: true, hash: true, body: true, logIndex: true } });
  const bySource = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = bySource.get(row.sourceId);
    if (list) list.push(row);
    else bySource.set(row.sourceId, [row]);
  }
  for (const [sourceId, sourceRows] of bySource) {
    const check = verifyChain(sourceRows.map(toChainRecord));
    if (!check.ok) return { ok: false, sourceId, seq: check.seq, reason: check.reason };
  }
  if (checkpoint) {
    const inLog = rows.filter((r) => r.logIndex !== null && Number(r.logIndex) < checkpoint.treeSize).sort((a, b) => Number(a.logIndex! - b.logIndex!));
    const root = rootFromLeafHashes(inLog.map((r) => leafHash(leafBytes(r)))).toString('hex');
    if (inLog.length !== checkpoint.treeSize || root !== checkpoint.rootHash) {
      // A chain that verifies but a root that does not: find the leaf whose stored hash no longer matches its record.
      const bad = inLog.find((r) => recordHash(r.prevHash, Number(r.seq), r.body) !== r.hash);
      return { ok: false, sourceId: bad?.sourceId ?? '', seq: bad ? Number(bad.seq) : -1, reason: `log does not match checkpoint ${checkpoint.treeSize} (root ${root.slice(0, 12)}… != ${checkpoint.rootHash.slice(0, 12)}…)` };
    }
  }
  return { ok: true, events: rows.length, sources: bySource.size };
}

export { GENESIS_HASH };
