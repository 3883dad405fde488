import {
  appendRecord,
  CONTROL_PLANE_SOURCE,
  GENESIS_HASH,
  leafHash,
  MerkleAccumulator,
  logLeafBytes,
  signCheckpoint,
  type AuditEvent,
  type Checkpoint,
  type ChainRecord,
} from '@meridian/audit';
import { Prisma, type AuditCheckpoint, type AuditEvent as AuditEventRow } from './generated/prisma/client';
import { collectTreeNodes, storeTreeNodes, treeNodesCover } from './audit-tree';
import { activeSigningKey, signingPrivateKey } from './signing-keys';
import type { TenantTx } from './tenant-scope';

export { CONTROL_PLANE_SOURCE };

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

/** Where a batch of records comes from; actor and site are the source's, never what the records claim. */
export interface AuditSourceRef {
  tenantId: string;
  sourceId: string;
  actor: string;
  siteId: string | null;
}

/** An already verified record with the columns extracted from its body. */
export interface AuditRow {
  seq: number;
  prevHash: string;
  hash: string;
  body: string;
  type: string;
  category: string | null;
  decision: string | null;
  /** ISO 8601, normalised by the caller. */
  occurredAt: string;
}

/**
 * The FROM item with one row per record. Each column travels as one JSON array parameter, zipped
 * back into rows by ROWS FROM: column arrays as Prisma raw parameters cost a type check and an escape
 * per element (Prisma's serialisation, then pg's array literals), and rows as JSON objects repeat
 * every key per record; a JSON array of strings is one native JSON.stringify, parsed by PostgreSQL in C.
 * `source` is the batch's position in a group (0 for a single source).
 */
function recordsFrom(rows: readonly AuditRow[], source: readonly number[]): Prisma.Sql {
  const column = <T>(pick: (r: AuditRow) => T) => JSON.stringify(rows.map(pick));
  return Prisma.sql`(
    SELECT v.source::int AS source, v.seq::bigint AS seq, v.prev_hash, v.hash, v.body, v.type, v.category, v.decision, v.occurred_at::timestamptz AS occurred_at
    FROM ROWS FROM (
      json_array_elements_text(${JSON.stringify(source)}::json), json_array_elements_text(${column((r) => r.seq)}::json),
      json_array_elements_text(${column((r) => r.prevHash)}::json), json_array_elements_text(${column((r) => r.hash)}::json),
      json_array_elements_text(${column((r) => r.body)}::json), json_array_elements_text(${column((r) => r.type)}::json),
      json_array_elements_text(${column((r) => r.category)}::json), json_array_elements_text(${column((r) => r.decision)}::json),
      json_array_elements_text(${column((r) => r.occurredAt)}::json)
    ) AS v(source, seq, prev_hash, hash, body, type, category, decision, occurred_at)
  )`;
}

/** Inserts rows of one source; the caller holds the source's head row lock and has verified them against it. */
export async function insertAuditRows(tx: TenantTx, source: AuditSourceRef, rows: readonly AuditRow[]): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO audit_events (tenant_id, source_id, seq, prev_hash, hash, body, type, actor, site_id, category, decision, occurred_at)
    SELECT ${source.tenantId}::uuid, ${source.sourceId}, u.seq, u.prev_hash, u.hash, u.body, u.type, ${source.actor}, ${source.siteId}, u.category, u.decision, u.occurred_at
    FROM ${recordsFrom(rows, rows.map(() => 0))} AS u`;
}

/** A batch of one source, verified in itself: consecutive seqs, linked hashes, each hash recomputed from its record. */
export interface AuditAppend {
  source: AuditSourceRef;
  rows: readonly AuditRow[];
}

/**
 * Appends the batches of several sources of one tenant in one statement, each batch if and only if
 * its source's stored head is exactly the record its first row links to and the chain is not flagged
 * broken. The UPDATE takes each head's row lock and, where it had to wait for a concurrent upload,
 * re-checks the condition against the head that upload left, so a record is never stored twice or
 * out of chain. Returns the sources whose batch was stored; the others were left untouched, for the
 * caller's general path (new source, re-sent records, refusal). At most one batch per source.
 */
export async function appendAtHeads(tx: TenantTx, tenantId: string, batches: readonly AuditAppend[]): Promise<Set<string>> {
  const heads = batches.map(({ source, rows }) => {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last || source.tenantId !== tenantId) throw new Error('appendAtHeads: empty batch or another tenant');
    return { source_id: source.sourceId, actor: source.actor, site_id: source.siteId, expect_seq: first.seq - 1, expect_hash: first.prevHash, last_seq: last.seq, last_hash: last.hash };
  });
  const rows = batches.flatMap((b) => b.rows);
  const positions = batches.flatMap((b, i) => b.rows.map(() => i));
  if (new Set(heads.map((h) => h.source_id)).size !== heads.length) throw new Error('appendAtHeads: one batch per source');
  const stored = await tx.$queryRaw<{ source_id: string; stored: number }[]>`
    WITH h AS (
      SELECT h.*, (h.ord - 1)::int AS position
      FROM ROWS FROM (json_to_recordset(${JSON.stringify(heads)}::json) AS (source_id text, actor text, site_id text, expect_seq bigint, expect_hash text, last_seq bigint, last_hash text))
        WITH ORDINALITY AS h(source_id, actor, site_id, expect_seq, expect_hash, last_seq, last_hash, ord)
    ), moved AS (
      UPDATE audit_sources s SET last_seq = h.last_seq, last_hash = h.last_hash, updated_at = now()
      FROM h
      WHERE s.tenant_id = ${tenantId}::uuid AND s.source_id = h.source_id
        AND s.last_seq = h.expect_seq AND s.last_hash = h.expect_hash AND s.broken_at IS NULL
      RETURNING s.source_id, h.actor, h.site_id, h.position
    ), stored AS (
      INSERT INTO audit_events (tenant_id, source_id, seq, prev_hash, hash, body, type, actor, site_id, category, decision, occurred_at)
      SELECT ${tenantId}::uuid, m.source_id, u.seq, u.prev_hash, u.hash, u.body, u.type, m.actor, m.site_id, u.category, u.decision, u.occurred_at
      FROM ${recordsFrom(rows, positions)} AS u
      JOIN moved m ON m.position = u.source
      RETURNING source_id
    )
    SELECT m.source_id, count(st.source_id)::int AS stored FROM moved m LEFT JOIN stored st ON st.source_id = m.source_id GROUP BY m.source_id`;
  const expected = new Map(batches.map((b) => [b.source.sourceId, b.rows.length]));
  for (const s of stored) {
    // A head moved without exactly its rows cannot happen short of a bug; throwing rolls the whole statement back.
    if (expected.get(s.source_id) !== s.stored) throw new Error(`audit append stored ${s.stored} rows for source ${s.source_id}, expected ${expected.get(s.source_id)}`);
  }
  return new Set(stored.map((s) => s.source_id));
}

/**
 * Gives events not yet in the tenant's log the next positions, in arrival order: all of them, or the
 * oldest `maxEvents`. Returns the log's size and whether events were left pending.
 */
export async function appendPendingToLog(tx: TenantTx, maxEvents?: number): Promise<{ size: number; morePending: boolean }> {
  const [{ size }] = (await tx.$queryRaw<{ size: bigint }[]>`SELECT COALESCE(MAX(log_index) + 1, 0) AS size FROM audit_events`) as [{ size: bigint }];
  const limit = maxEvents === undefined ? Prisma.empty : Prisma.sql`LIMIT ${maxEvents}`;
  const taken = await tx.$executeRaw`
    UPDATE audit_events e SET log_index = ranked.idx
    FROM (
      SELECT tenant_id, source_id, seq, ${size}::bigint + row_number() OVER (ORDER BY received_at, source_id, seq) - 1 AS idx
      FROM audit_events WHERE log_index IS NULL ORDER BY received_at, source_id, seq ${limit}
    ) ranked
    WHERE e.tenant_id = ranked.tenant_id AND e.source_id = ranked.source_id AND e.seq = ranked.seq`;
  return { size: Number(size) + taken, morePending: maxEvents !== undefined && taken >= maxEvents };
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

const LEAF_PAGE = 10_000;

/**
 * Takes pending events into the log and signs a checkpoint of it (or returns the latest when nothing
 * is new). The tree is carried on from the latest checkpoint's perfect subtrees, so a checkpoint
 * hashes only the events added since it, in pages: its cost follows the traffic of the interval, not
 * the size of the log (the whole log was read and hashed for every checkpoint before session 8). The
 * subtrees of 16, 256, … leaves those events complete are stored as they go (audit-tree.ts), for proofs.
 * With `maxEvents`, it takes at most that many pending events (the oldest) and says whether more wait:
 * a backlog is then checkpointed in several bounded transactions instead of one that grows with it.
 */
export async function createCheckpoint(
  tx: TenantTx,
  tenantId: string,
  encryptionKey: Buffer,
  options: { maxEvents?: number } = {},
): Promise<(Checkpoint & { morePending: boolean }) | undefined> {
  const { size, morePending } = await appendPendingToLog(tx, options.maxEvents);
  const latest = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
  if (size === 0) return undefined;
  if (latest && Number(latest.treeSize) === size) return { ...toCheckpoint(latest, tenantId), morePending };
  // A log checkpointed before checkpoints carried the tree, or before they stored its tiles: it is
  // rebuilt once from the start, and must agree with the latest checkpoint.
  const rebuild = latest !== null && (!latest.subtreeHashes || !(await treeNodesCover(tx, Number(latest.treeSize))));
  const tree = rebuild ? new MerkleAccumulator() : carriedTree(latest);
  const nodes = collectTreeNodes(tree);
  if (rebuild) {
    await addLeaves(tx, tree, Number(latest.treeSize));
    if (tree.root().toString('hex') !== latest.rootHash) throw new Error(`the log's first ${latest.treeSize} events no longer hash to the checkpoint of that size`);
  }
  await addLeaves(tx, tree, size);
  await storeTreeNodes(tx, tenantId, nodes);
  const root = tree.root().toString('hex');
  const key = await activeSigningKey(tx, tenantId, encryptionKey);
  const createdAt = new Date();
  const signed = signCheckpoint({ logId: tenantId, treeSize: size, rootHash: root, timestamp: createdAt.toISOString(), keyId: key.keyId }, signingPrivateKey(key, encryptionKey));
  await tx.auditCheckpoint.create({
    data: { tenantId, treeSize: BigInt(size), rootHash: root, keyId: key.keyId, signature: signed.signature, createdAt, subtreeHashes: Buffer.concat(tree.subtreeHashes()) },
  });
  return { ...signed, morePending };
}

/** The tree as the latest checkpoint left it (empty without one, or for one made before checkpoints carried it). */
function carriedTree(latest: AuditCheckpoint | null): MerkleAccumulator {
  if (!latest?.subtreeHashes) return new MerkleAccumulator();
  const bytes = Buffer.from(latest.subtreeHashes);
  const hashes = Array.from({ length: bytes.length / 32 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32));
  return MerkleAccumulator.restore(Number(latest.treeSize), hashes);
}

/** Adds the log's leaves from the tree's size up to `size`, reading them in pages by log position; afterPage gets the tree's size after each. */
export async function addLeaves(tx: TenantTx, tree: MerkleAccumulator, size: number, afterPage?: (leaves: number) => Promise<void>): Promise<void> {
  while (tree.size < size) {
    const from = tree.size;
    const rows = await tx.auditEvent.findMany({
      where: { logIndex: { gte: BigInt(from), lt: BigInt(Math.min(size, from + LEAF_PAGE)) } },
      orderBy: { logIndex: 'asc' },
      select: { sourceId: true, seq: true, hash: true, logIndex: true },
    });
    for (const [offset, row] of rows.entries()) {
      if (Number(row.logIndex) !== from + offset) throw new Error(`the log has a hole at position ${from + offset}`);
      tree.push(leafHash(leafBytes(row)));
    }
    if (rows.length === 0) throw new Error(`the log has a hole at position ${from}`);
    await afterPage?.(tree.size);
  }
}

export { GENESIS_HASH };
