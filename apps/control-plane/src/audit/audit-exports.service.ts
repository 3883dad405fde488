import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import { NothingToExportError, readAuditExport, type AuditExport, type TenantTx } from '@meridian/db';
import { tenantContext, type Principal } from '../auth/principal';
import { conflict, notFound } from '../common/problem';
import { AuditProducer } from '../jobs/audit.producer';
import { TenantPrisma, type TenantContext } from '../prisma/prisma.service';
import type { AuditExportDownloadLink, AuditExportList, AuditExportView } from './dto/audit-export.dto';
import { DownloadLinks } from './download-links';
import { actorOf, recordChange } from './record';

/** Stored pieces read per query while a download streams: a few MiB in memory, whatever the export's size. */
const CHUNKS_PER_READ = 4;
/** How long GET /v1/audit/export may hold its read transaction (and database connection) while it streams. */
const NOW_TIMEOUT_MS = 5 * 60_000;

/** A file to send: its stream is read as the client takes it. */
export interface ExportFile {
  filename: string;
  type: string;
  stream: Readable;
  /** Bytes of the response body, when known in advance. */
  length?: number;
  /** sha256 (hex) of the uncompressed bundle. */
  sha256: string;
}

/**
 * Auditor bundles. Large logs are exported by the worker (a job with visible progress, the result
 * kept for download by any replica, in gzip pieces); small ones can be fetched at once. Both give the
 * same format (meridian.audit-export.v3, JSON Lines), streamed, never held whole in memory, and
 * verified offline by `meridian audit verify`. Who exported what is itself recorded in the log.
 */
@Injectable()
export class AuditExportsService {
  private readonly logger = new Logger(AuditExportsService.name);

  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: AuditProducer,
    private readonly links: DownloadLinks,
  ) {}

  async request(principal: Principal): Promise<AuditExportView> {
    const id = randomUUID();
    const row = await this.db.run(tenantContext(principal), async (tx) => {
      if (!(await tx.auditCheckpoint.findFirst({ select: { treeSize: true } }))) throw nothingToExport();
      await recordChange(tx, principal, 'admin.audit.export_requested', { exportId: id });
      return tx.auditExport.create({ data: { id, tenantId: principal.tenantId, requestedBy: actorOf(principal) } });
    });
    try {
      await this.producer.export(principal.tenantId, id, actorOf(principal));
    } catch (error) {
      this.logger.error({ err: error, exportId: id }, 'could not queue the audit export');
      await this.db.run(tenantContext(principal), (tx) => tx.auditExport.update({ where: { id }, data: { status: 'failed', error: 'could not be queued; try again' } }));
      throw error;
    }
    return toView(row);
  }

  list(principal: Principal): Promise<AuditExportList> {
    return this.db.run(tenantContext(principal), async (tx) => ({
      items: (await tx.auditExport.findMany({ orderBy: { createdAt: 'desc' }, take: 100, omit: { content: true } })).map(toView),
    }));
  }

  get(principal: Principal, id: string): Promise<AuditExportView> {
    return this.db.run(tenantContext(principal), async (tx) => toView(await find(tx, id)));
  }

  /**
   * The file of a completed export: a v3 export's gzip pieces streamed in order (a few at a time, never
   * the whole export), or the v2 JSON of an export made before the pieces existed, gunzipped as it goes.
   */
  download(principal: Principal, id: string): Promise<ExportFile> {
    return this.downloadAs(tenantContext(principal), id);
  }

  /** A single-use link to the export's file that needs no Authorization header (DownloadLinks): how a browser saves it to disk. */
  async downloadLink(principal: Principal, id: string): Promise<AuditExportDownloadLink> {
    await this.db.run(tenantContext(principal), async (tx) => {
      const row = await find(tx, id);
      if (row.status !== 'completed') throw conflict(`audit export is ${row.status}${row.error ? `: ${row.error}` : ''}; download it once completed`);
    });
    const link = this.links.issue(principal, id);
    return { url: `/v1/audit/exports/${id}/file?token=${link.token}`, expiresAt: link.expiresAt };
  }

  /** The file behind a download link, as the user the link was issued to; the link is used up. */
  async downloadByLink(id: string, token: string): Promise<ExportFile> {
    return this.downloadAs(await this.links.redeem(token, id), id);
  }

  private async downloadAs(context: TenantContext, id: string): Promise<ExportFile> {
    const { row, stored } = await this.db.run(context, async (tx) => {
      const row = await find(tx, id);
      if (row.status !== 'completed') throw conflict(`audit export is ${row.status}${row.error ? `: ${row.error}` : ''}; download it once completed`);
      // Sizes from the values' headers: no piece is read here.
      const [stored] = await tx.$queryRaw<{ chunks: number; bytes: bigint; legacy: boolean }[]>`
        SELECT (SELECT count(*)::int FROM audit_export_chunks WHERE export_id = ${id}::uuid) AS chunks,
               (SELECT COALESCE(sum(octet_length(content)), 0)::bigint FROM audit_export_chunks WHERE export_id = ${id}::uuid) AS bytes,
               (SELECT content IS NOT NULL FROM audit_exports WHERE id = ${id}::uuid) AS legacy`;
      return { row, stored: stored! };
    });
    const sha256 = row.sha256 ?? '';
    if (stored.chunks > 0) {
      return { filename: `meridian-audit-${row.id}.jsonl.gz`, type: 'application/gzip', stream: this.chunks(context, id, stored.chunks), length: Number(stored.bytes), sha256 };
    }
    if (stored.legacy) {
      const legacy = await this.db.run(context, (tx) => tx.auditExport.findFirst({ where: { id }, select: { content: true } }));
      const gunzip = createGunzip();
      gunzip.end(legacy!.content!);
      return { filename: `meridian-audit-${row.id}.json`, type: 'application/json', stream: gunzip, ...(row.sizeBytes !== null ? { length: Number(row.sizeBytes) } : {}), sha256 };
    }
    throw conflict('audit export has no stored file; request a new one');
  }

  /** The stored pieces in order, CHUNKS_PER_READ per query (each in its own short transaction: pieces never change once committed). */
  private chunks(context: TenantContext, id: string, count: number): Readable {
    const db = this.db;
    async function* pieces(): AsyncGenerator<Buffer> {
      let next = 0;
      while (next < count) {
        const rows = await db.run(context, (tx) => tx.auditExportChunk.findMany({ where: { exportId: id, chunk: { gte: next } }, orderBy: { chunk: 'asc' }, take: CHUNKS_PER_READ, select: { chunk: true, content: true } }));
        if (rows.length === 0) throw new Error(`audit export ${id}: piece ${next} of ${count} is missing`);
        for (const row of rows) {
          if (row.chunk !== next) throw new Error(`audit export ${id}: piece ${next} of ${count} is missing`);
          next += 1;
          yield Buffer.from(row.content.buffer, row.content.byteOffset, row.content.byteLength);
        }
      }
    }
    return Readable.from(pieces(), { objectMode: false });
  }

  /**
   * The v3 bundle (uncompressed JSON Lines) read from the log within the request, in pages, as the
   * client takes it: for logs small enough to send within NOW_TIMEOUT_MS, which the read transaction
   * (and its database connection) may last. Resolves once the first piece is ready, so "nothing to
   * export" is still an ordinary 404; a failure after that cuts the response short, which the
   * verifier reports (the end line is missing).
   */
  async now(principal: Principal): Promise<ExportFile> {
    const out = new PassThrough();
    // Errors are the response's to handle once it has the stream (StreamableFile); none may go unheard before.
    out.on('error', () => undefined);
    let opened!: () => void;
    let refused!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      opened = resolve;
      refused = reject;
    });
    void this.db
      .run(
        tenantContext(principal),
        async (tx) => {
          const text = readAuditExport(tx, { tenantId: principal.tenantId, requestedBy: actorOf(principal) });
          const first = await text.next();
          opened();
          await pipeline(async function* () {
            for (let next = first; !next.done; next = await text.next()) yield next.value;
          }, out);
        },
        NOW_TIMEOUT_MS,
      )
      .catch((error: unknown) => {
        refused(error instanceof NothingToExportError ? nothingToExport() : error);
        if (!out.destroyed) out.destroy(error as Error);
        else if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') this.logger.warn({ err: error }, 'audit export stream ended early');
      });
    await ready;
    return { filename: 'meridian-audit.jsonl', type: 'application/x-ndjson', stream: out, sha256: '' };
  }
}

const nothingToExport = () => notFound('checkpoint (nothing to export yet; request one with POST /v1/audit/checkpoints)');

async function find(tx: TenantTx, id: string) {
  const row = await tx.auditExport.findFirst({ where: { id }, omit: { content: true } });
  if (!row) throw notFound('audit export');
  return row;
}

function toView(row: Omit<AuditExport, 'content'>): AuditExportView {
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    requestedBy: row.requestedBy,
    treeSize: row.treeSize === null ? null : Number(row.treeSize),
    eventCount: row.eventCount,
    sha256: row.sha256,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    error: row.error,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
    downloadUrl: row.status === 'completed' ? `/v1/audit/exports/${row.id}/download` : null,
  };
}
