import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import type { AuditExportBundle } from '@meridian/audit';
import { buildAuditExport, NothingToExportError, type AuditExport, type TenantTx } from '@meridian/db';
import { tenantContext, type Principal } from '../auth/principal';
import { conflict, notFound } from '../common/problem';
import { AuditProducer } from '../jobs/audit.producer';
import { TenantPrisma } from '../prisma/prisma.service';
import type { AuditExportList, AuditExportView } from './dto/audit-export.dto';
import { actorOf, recordChange } from './record';

const gunzipAsync = promisify(gunzip);

/**
 * Auditor bundles. Large logs are exported by the worker (a job with visible progress, the result
 * kept for download by any replica); small ones can be fetched at once. Both give the same format,
 * verified offline by `meridian audit verify`. Who exported what is itself recorded in the log.
 */
@Injectable()
export class AuditExportsService {
  private readonly logger = new Logger(AuditExportsService.name);

  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: AuditProducer,
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

  /** The bundle file (JSON) of a completed export. */
  async download(principal: Principal, id: string): Promise<{ filename: string; content: Buffer; sha256: string }> {
    const row = await this.db.run(tenantContext(principal), (tx) => tx.auditExport.findFirst({ where: { id } }));
    if (!row) throw notFound('audit export');
    if (row.status !== 'completed' || !row.content) throw conflict(`audit export is ${row.status}${row.error ? `: ${row.error}` : ''}; download it once completed`);
    return { filename: `meridian-audit-${row.id}.json`, content: await gunzipAsync(row.content), sha256: row.sha256 ?? '' };
  }

  /** At once, in the request: for logs small enough to build within the request's time. */
  now(principal: Principal): Promise<AuditExportBundle> {
    return this.db.run(tenantContext(principal), async (tx) => {
      try {
        return await buildAuditExport(tx, { tenantId: principal.tenantId, requestedBy: actorOf(principal) });
      } catch (error) {
        if (error instanceof NothingToExportError) throw nothingToExport();
        throw error;
      }
    });
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
    sizeBytes: row.sizeBytes,
    error: row.error,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
    downloadUrl: row.status === 'completed' ? `/v1/audit/exports/${row.id}/download` : null,
  };
}
