import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentPrincipal, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { AuditExportsService } from './audit-exports.service';
import { EXPORTERS } from './audit.controller';
import { AuditExportList, AuditExportView } from './dto/audit-export.dto';

@ApiTags('audit')
@ApiBearerAuth()
@TenantResource('auditExport')
@Controller('v1/audit/exports')
export class AuditExportsController {
  constructor(private readonly exports: AuditExportsService) {}

  @Allow(...EXPORTERS)
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: AuditExportView, description: 'Queued; follow progress at GET /v1/audit/exports/:id' })
  requestExport(@CurrentPrincipal() principal: Principal) {
    return this.exports.request(principal);
  }

  @Allow(...EXPORTERS)
  @Get()
  @ApiOkResponse({ type: AuditExportList })
  listExports(@CurrentPrincipal() principal: Principal) {
    return this.exports.list(principal);
  }

  @Allow(...EXPORTERS)
  @Get(':id')
  @ApiOkResponse({ type: AuditExportView })
  getExport(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.exports.get(principal, id);
  }

  @Allow(...EXPORTERS)
  @Get(':id/download')
  @ApiProduces('application/gzip', 'application/json')
  @ApiOkResponse({
    description:
      'The bundle file, streamed: `meridian-audit-<id>.jsonl.gz` (application/gzip), the meridian.audit-export.v3 bundle as gzip-compressed JSON Lines. ' +
      'X-Content-SHA256 (and the export view\'s sha256) is the sha256 of the uncompressed file, i.e. after gunzip. ' +
      'Exports made before v3 download as before: `meridian-audit-<id>.json` (application/json, meridian.audit-export.v2), whose sha256 is of the file as downloaded. ' +
      'Verify either with `meridian audit verify <file>`.',
    headers: { 'X-Content-SHA256': { description: 'sha256 (hex) of the uncompressed bundle', schema: { type: 'string' } } },
    content: {
      'application/gzip': { schema: { type: 'string', format: 'binary' } },
      'application/json': { schema: { type: 'string', format: 'binary' } },
    },
  })
  async downloadExport(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    const file = await this.exports.download(principal, id);
    response.setHeader('X-Content-SHA256', file.sha256);
    return new StreamableFile(file.stream, { type: file.type, disposition: `attachment; filename="${file.filename}"`, ...(file.length !== undefined ? { length: file.length } : {}) });
  }
}
