import { MerkleAccumulator, verifyChain, type ChainRecord, type Checkpoint } from '@meridian/audit';
import { addLeaves, toCheckpoint } from './audit-store';
import { Prisma } from './generated/prisma/client';
import type { TenantTx } from './tenant-scope';

export type LogVerification = { ok: true; events: number; sources: number } | { ok: false; sourceId: string; seq: number; reason: string };

const PAGE = 5_000;

type ChainRow = { source_id: string; seq: bigint; prev_hash: string; hash: string; body: string };

/**
 * Re-verifies the tenant's log from the stored rows: every source's chain (the first record that
 * breaks it is named) and, when a checkpoint is given, that the log's first treeSize leaves hash to
 * its root. Both passes read in pages (chains in (source, seq) order, the tree by log position), so
 * memory stays at one page whatever the log's size; before session 9 the whole log, bodies included,
 * was read into memory at once.
 */
export async function verifyTenantLog(tx: TenantTx, checkpoint?: Pick<Checkpoint, 'treeSize' | 'rootHash'>, options: { pageSize?: number } = {}): Promise<LogVerification> {
  const pageSize = options.pageSize ?? PAGE;
  let events = 0;
  let sources = 0;
  let head: { sourceId: string; seq: number; hash: string } | undefined;
  for (;;) {
    const after = head ? Prisma.sql`(source_id, seq) > (${head.sourceId}, ${BigInt(head.seq)})` : Prisma.sql`TRUE`;
    const rows = await tx.$queryRaw<ChainRow[]>`SELECT source_id, seq, prev_hash, hash, body FROM audit_events WHERE ${after} ORDER BY source_id, seq LIMIT ${pageSize}`;
    for (let start = 0; start < rows.length; ) {
      const sourceId = rows[start]!.source_id;
      let end = start;
      while (end < rows.length && rows[end]!.source_id === sourceId) end += 1;
      const records: ChainRecord[] = rows.slice(start, end).map((r) => ({ seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash, body: r.body }));
      const continues = head?.sourceId === sourceId;
      if (!continues) sources += 1;
      const check = verifyChain(records, continues ? head : undefined);
      if (!check.ok) return { ok: false, sourceId, seq: check.seq, reason: check.reason };
      const last = records[records.length - 1]!;
      head = { sourceId, seq: last.seq, hash: last.hash };
      events += records.length;
      start = end;
    }
    if (rows.length < pageSize) break;
  }
  if (checkpoint) {
    const tree = new MerkleAccumulator();
    try {
      await addLeaves(tx, tree, checkpoint.treeSize);
    } catch (error) {
      return { ok: false, sourceId: '', seq: -1, reason: `log does not match checkpoint ${checkpoint.treeSize}: ${(error as Error).message}` };
    }
    const root = tree.root().toString('hex');
    // Every record's hash was checked above, so a different root means the log itself changed: order, membership or positions.
    if (root !== checkpoint.rootHash) return { ok: false, sourceId: '', seq: -1, reason: `log does not match checkpoint ${checkpoint.treeSize} (root ${root.slice(0, 12)}… != ${checkpoint.rootHash.slice(0, 12)}…)` };
  }
  return { ok: true, events, sources };
}

/** The log re-verified against its latest checkpoint (or its chains only, before the first): what GET /v1/audit/verify and the verify job answer. */
export async function verifyTenantLogNow(tx: TenantTx, tenantId: string, options: { pageSize?: number } = {}): Promise<LogVerification & { checkpoint: Checkpoint | null }> {
  const latest = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
  const checkpoint = latest ? toCheckpoint(latest, tenantId) : null;
  return { ...(await verifyTenantLog(tx, checkpoint ?? undefined, options)), checkpoint };
}
