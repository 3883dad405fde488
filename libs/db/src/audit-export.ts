import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { AuditExportWriter } from '@meridian/audit';
import { toCheckpoint } from './audit-store';
import { publicSigningKeys } from './signing-keys';
import type { TenantTx } from './tenant-scope';

/** Rows read per query: events by log index, checkpoints by tree size. */
const PAGE = 5_000;
/** Lines are handed on in pieces of about this size (whole lines), not one by one. */
const PIECE_BYTES = 64 * 1024;
/** Size of a stored piece of the gzip file (audit_export_chunks), unless the caller says otherwise. */
export const AUDIT_EXPORT_CHUNK_BYTES = 1024 * 1024;

export class NothingToExportError extends Error {
  constructor() {
    super('nothing to export yet: the log has no checkpoint (request one with POST /v1/audit/checkpoints)');
  }
}

export interface AuditExportMeta {
  tenantId: string;
  requestedBy: string | null;
  /** ISO 8601; now by default (given by a test that rebuilds an export to compare it byte for byte). */
  exportedAt?: string;
}

/** What a v3 file holds, known once its last line is written. */
export interface AuditExportSummary {
  treeSize: number;
  events: number;
  /** sha256 (hex) of the whole uncompressed file, its end line included: what X-Content-SHA256 says. */
  sha256: string;
  /** Bytes of the uncompressed file. */
  sizeBytes: number;
}

export interface StoredAuditExport extends AuditExportSummary {
  /** Rows written to audit_export_chunks. */
  chunks: number;
}

/**
 * The tenant's log as a meridian.audit-export.v3 file (JSON Lines, libs/audit export-stream.ts), read
 * from the caller's transaction in pages and yielded as text in pieces of whole lines (about 64 KiB
 * each), so that memory stays bounded whatever the size of the log: the header, the public signing
 * keys, every checkpoint up to the newest (growing tree size), every event the newest covers in log
 * order, and the end line. Throws NothingToExportError before yielding anything when there is no
 * checkpoint. Progress goes 0–95 with the events read. Returns the summary of the file.
 *
 * Events below a checkpoint's tree size and the checkpoints themselves never change, so pages read in
 * a READ COMMITTED transaction still make one consistent file.
 */
export async function* readAuditExport(
  tx: TenantTx,
  meta: AuditExportMeta,
  options: { onProgress?: (percent: number) => Promise<void> | void; pageSize?: number } = {},
): AsyncGenerator<string, AuditExportSummary, undefined> {
  const pageSize = options.pageSize ?? PAGE;
  const newest = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
  if (!newest) throw new NothingToExportError();
  const treeSize = Number(newest.treeSize);
  const writer = new AuditExportWriter({ tenantId: meta.tenantId, exportedAt: meta.exportedAt ?? new Date().toISOString(), requestedBy: meta.requestedBy, treeSize });
  let piece = '';
  const take = (line: string): string | undefined => {
    piece += line;
    if (piece.length < PIECE_BYTES) return undefined;
    return flush();
  };
  const flush = (): string => {
    const text = piece;
    piece = '';
    return text;
  };

  take(writer.header());
  for (const key of await publicSigningKeys(tx)) take(writer.signingKey({ keyId: key.keyId, publicKey: key.publicKey.toString('base64') }));
  let afterTreeSize = -1n;
  for (;;) {
    const rows = await tx.auditCheckpoint.findMany({ where: { treeSize: { gt: afterTreeSize, lte: newest.treeSize } }, orderBy: { treeSize: 'asc' }, take: pageSize });
    for (const row of rows) {
      const ready = take(writer.checkpoint(toCheckpoint(row, meta.tenantId)));
      if (ready) yield ready;
    }
    if (rows.length < pageSize) break;
    afterTreeSize = rows[rows.length - 1]!.treeSize;
  }

  let next = 0;
  let reported = -1;
  const progress = async () => {
    const percent = treeSize === 0 ? 95 : Math.floor((next / treeSize) * 95);
    if (percent === reported || !options.onProgress) return;
    reported = percent;
    await options.onProgress(percent);
  };
  while (next < treeSize) {
    const rows = await tx.auditEvent.findMany({
      where: { logIndex: { gte: BigInt(next), lt: BigInt(treeSize) } },
      orderBy: { logIndex: 'asc' },
      take: pageSize,
      select: { logIndex: true, sourceId: true, seq: true, prevHash: true, hash: true, body: true },
    });
    if (rows.length === 0) throw new Error(`the log has a hole at position ${next}; run GET /v1/audit/verify`);
    for (const row of rows) {
      const logIndex = Number(row.logIndex);
      if (logIndex !== next) throw new Error(`the log has a hole at position ${next}; run GET /v1/audit/verify`);
      const ready = take(writer.event({ logIndex, sourceId: row.sourceId, seq: Number(row.seq), prevHash: row.prevHash, hash: row.hash, body: row.body }));
      next += 1;
      if (ready) yield ready;
    }
    await progress();
  }
  take(writer.end());
  yield flush();
  await progress();
  // The writer hashed and counted every line it wrote, the end line included.
  return { treeSize, events: writer.eventCount, sha256: writer.fileSha256!, sizeBytes: writer.bytes };
}

/**
 * Builds the tenant's v3 export and stores it gzip-compressed in audit_export_chunks, in pieces of
 * `chunkBytes` (the last one shorter) inserted as they fill: memory holds one page of events and about
 * one chunk, whatever the log's size. Runs in the caller's transaction, so the export is stored whole
 * or not at all (a failure rolls every chunk back).
 */
export async function storeAuditExport(
  tx: TenantTx,
  exportId: string,
  meta: AuditExportMeta,
  options: { chunkBytes?: number; onProgress?: (percent: number) => Promise<void> | void; pageSize?: number } = {},
): Promise<StoredAuditExport> {
  const chunkBytes = options.chunkBytes ?? AUDIT_EXPORT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new Error(`storeAuditExport: chunkBytes must be a positive integer, got ${chunkBytes}`);
  const text = readAuditExport(tx, meta, { onProgress: options.onProgress, pageSize: options.pageSize });
  let summary: AuditExportSummary | undefined;
  let chunks = 0;
  const insert = async (content: Uint8Array<ArrayBuffer>) => {
    await tx.auditExportChunk.create({ data: { exportId, tenantId: meta.tenantId, chunk: chunks, content } });
    chunks += 1;
  };
  await pipeline(
    async function* () {
      try {
        for (;;) {
          const next = await text.next();
          if (next.done) {
            summary = next.value;
            return;
          }
          yield next.value;
        }
      } finally {
        await text.return(undefined as never);
      }
    },
    createGzip(),
    async (compressed: AsyncIterable<Buffer>) => {
      let pending: Buffer[] = [];
      let size = 0;
      for await (const piece of compressed) {
        pending.push(piece);
        size += piece.length;
        if (size < chunkBytes) continue;
        const all = Buffer.concat(pending, size);
        let offset = 0;
        for (; all.length - offset >= chunkBytes; offset += chunkBytes) await insert(Buffer.from(all.subarray(offset, offset + chunkBytes)));
        pending = offset < all.length ? [Buffer.from(all.subarray(offset))] : [];
        size = all.length - offset;
      }
      if (size > 0) await insert(Buffer.concat(pending, size));
    },
  );
  if (!summary) throw new Error('audit export: the file ended before its last line');
  return { ...summary, chunks };
}
