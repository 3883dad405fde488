import { MerkleAccumulator, verifyChain, type ChainRecord, type Checkpoint } from '@meridian/audit';
import { addLeaves, toCheckpoint } from './audit-store';
import { Prisma } from './generated/prisma/client';
import type { TenantTx } from './tenant-scope';

export type LogVerification = { ok: true; events: number; sources: number } | { ok: false; sourceId: string; seq: number; reason: string };

const PAGE = 5_000;

/**
 * How far a verification has come: the chains pass reads every event once, then the tree pass
 * re-hashes the checkpoint's leaves. `done` and `total` count rows of the current stage; `percent`
 * is over both stages together.
 */
export interface VerificationProgress {
  stage: 'chains' | 'tree';
  done: number;
  total: number;
  percent: number;
}

export interface VerifyOptions {
  pageSize?: number;
  /** Called after every page read; awaited, so a slow reporter slows the verification rather than piling up. */
  onProgress?: (progress: VerificationProgress) => void | Promise<void>;
}

type ChainRow = { source_id: string; seq: bigint; prev_hash: string; hash: string; body: string };

/**
 * Re-verifies the tenant's log from the stored rows: every source's chain (the first record that
 * breaks it is named) and, when a checkpoint is given, that the log's first treeSize leaves hash to
 * its root. Both passes read in pages (chains in (source, seq) order, the tree by log position), so
 * memory stays at one page whatever the log's size; before session 9 the whole log, bodies included,
 * was read into memory at once.
 */
export async function verifyTenantLog(tx: TenantTx, checkpoint?: Pick<Checkpoint, 'treeSize' | 'rootHash'>, options: VerifyOptions = {}): Promise<LogVerification> {
  const pageSize = options.pageSize ?? PAGE;
  const report = await progressReporter(tx, checkpoint?.treeSize ?? 0, options.onProgress);
  let events = 0;
  let sources = 0;
  let head: { sourceId: string; seq: number; hash: string } | undefined;
  await report('chains', 0);
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
    await report('chains', events);
    if (rows.length < pageSize) break;
  }
  if (checkpoint) {
    const tree = new MerkleAccumulator();
    try {
      await addLeaves(tx, tree, checkpoint.treeSize, (leaves) =>
        report('tree', leaves).catch((error: unknown) => {
          throw new ProgressListenerFailed(error);
        }),
      );
    } catch (error) {
      // The listener's own failure is not a verdict on the log.
      if (error instanceof ProgressListenerFailed) throw error.cause;
      return { ok: false, sourceId: '', seq: -1, reason: `log does not match checkpoint ${checkpoint.treeSize}: ${(error as Error).message}` };
    }
    const root = tree.root().toString('hex');
    // Every record's hash was checked above, so a different root means the log itself changed: order, membership or positions.
    if (root !== checkpoint.rootHash) return { ok: false, sourceId: '', seq: -1, reason: `log does not match checkpoint ${checkpoint.treeSize} (root ${root.slice(0, 12)}… != ${checkpoint.rootHash.slice(0, 12)}…)` };
  }
  return { ok: true, events, sources };
}

/** Turns rows done into progress over both stages; a no-op (and no count query) without a listener. */
async function progressReporter(tx: TenantTx, treeSize: number, listener: VerifyOptions['onProgress']): Promise<(stage: VerificationProgress['stage'], done: number) => Promise<void>> {
  if (!listener) return async () => {};
  // Each page is read in its own snapshot (READ COMMITTED), so events stored meanwhile are read too:
  // the total then grows to what was done, and percent stops at 100.
  const [{ count }] = await tx.$queryRaw<[{ count: bigint }]>`SELECT count(*) AS count FROM audit_events`;
  const totals = { chains: Number(count), tree: treeSize };
  const all = totals.chains + totals.tree;
  return async (stage, done) => {
    const before = stage === 'tree' ? totals.chains : 0;
    const percent = all === 0 ? 100 : Math.min(100, Math.floor(((before + done) * 100) / all));
    totals[stage] = Math.max(totals[stage], done);
    await listener({ stage, done, total: totals[stage], percent });
  };
}

class ProgressListenerFailed {
  constructor(readonly cause: unknown) {}
}

/** The log re-verified against its latest checkpoint (or its chains only, before the first): what GET /v1/audit/verify and the verify job answer. */
export async function verifyTenantLogNow(tx: TenantTx, tenantId: string, options: VerifyOptions = {}): Promise<LogVerification & { checkpoint: Checkpoint | null }> {
  const latest = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
  const checkpoint = latest ? toCheckpoint(latest, tenantId) : null;
  return { ...(await verifyTenantLog(tx, checkpoint ?? undefined, options)), checkpoint };
}
