import { buildManifest, leafHash, logLeafBytes, MerkleRanges, type AuditExportBundle, type ExportedEvent } from '@meridian/audit';
import { toCheckpoint } from './audit-store';
import { publicSigningKeys } from './signing-keys';
import type { TenantTx } from './tenant-scope';

const PAGE = 5_000;

export class NothingToExportError extends Error {
  constructor() {
    super('nothing to export yet: the log has no checkpoint (request one with POST /v1/audit/checkpoints)');
  }
}

/**
 * Assembles the auditor's bundle for the tenant of the transaction: every event up to the newest
 * checkpoint (read in pages, reporting progress 0–100), every checkpoint, the consistency proofs
 * between consecutive checkpoints, and the public keys.
 */
export async function buildAuditExport(
  tx: TenantTx,
  meta: { tenantId: string; requestedBy: string | null },
  onProgress: (percent: number) => Promise<void> | void = () => undefined,
): Promise<AuditExportBundle> {
  const checkpointRows = await tx.auditCheckpoint.findMany({ orderBy: { treeSize: 'asc' } });
  const newest = checkpointRows[checkpointRows.length - 1];
  if (!newest) throw new NothingToExportError();
  const treeSize = Number(newest.treeSize);
  const events: ExportedEvent[] = [];
  while (events.length < treeSize) {
    const page = await tx.auditEvent.findMany({
      where: { logIndex: { gte: BigInt(events.length), lt: BigInt(Math.min(events.length + PAGE, treeSize)) } },
      orderBy: { logIndex: 'asc' },
      select: { logIndex: true, sourceId: true, seq: true, prevHash: true, hash: true, body: true },
    });
    if (page.length === 0) throw new Error(`the log has a hole at position ${events.length}; run GET /v1/audit/verify`);
    for (const row of page) events.push({ logIndex: Number(row.logIndex), sourceId: row.sourceId, seq: Number(row.seq), prevHash: row.prevHash, hash: row.hash, body: row.body });
    await onProgress(Math.floor((events.length / treeSize) * 80));
  }
  const ranges = new MerkleRanges(events.map((event) => leafHash(logLeafBytes(event))));
  const checkpoints = checkpointRows.map((row) => toCheckpoint(row, meta.tenantId));
  const consistencyProofs = checkpoints.slice(1).map((to, index) => {
    const from = checkpoints[index]!;
    return { fromTreeSize: from.treeSize, toTreeSize: to.treeSize, path: ranges.consistencyProof(from.treeSize, to.treeSize).map((hash) => hash.toString('hex')) };
  });
  await onProgress(95);
  const signingKeys = (await publicSigningKeys(tx)).map((key) => ({ keyId: key.keyId, publicKey: key.publicKey.toString('base64') }));
  const body = { signingKeys, checkpoints, consistencyProofs, events };
  return { manifest: buildManifest(body, { tenantId: meta.tenantId, exportedAt: new Date().toISOString(), requestedBy: meta.requestedBy }), ...body };
}
