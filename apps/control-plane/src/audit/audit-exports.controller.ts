import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentPrincipal, Public, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { AuditExportsService, type ExportFile } from './audit-exports.service';
import { DOWNLOAD_LINK_SECONDS } from './download-links';
import { EXPORTERS } from './audit.controller';
import { AuditExportDownloadLink, AuditExportList, AuditExportView, DownloadLinkQuery } from './dto/audit-export.dto';

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
    return send(await this.exports.download(principal, id), response);
  }

  @Allow(...EXPORTERS)
  @Post(':id/download-link')
  @HttpCode(200)
  @ApiOkResponse({ type: AuditExportDownloadLink, description: `A link to the completed export's file that works once, within ${DOWNLOAD_LINK_SECONDS} s, without an Authorization header: for browsers, which then save the file to disk as it streams` })
  downloadLink(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.exports.downloadLink(principal, id);
  }

  /** Authenticated by its token (a download link), not by a session: a browser navigates here. */
  @Public()
  @Get(':id/file')
  @ApiProduces('application/gzip', 'application/json')
  @ApiOkResponse({ description: 'The same file as GET /v1/audit/exports/:id/download', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } }, 'application/json': { schema: { type: 'string', format: 'binary' } } } })
  async downloadByLink(@Param('id', ParseUUIDPipe) id: string, @Query() query: DownloadLinkQuery, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    return send(await this.exports.downloadByLink(id, query.token), response);
  }
}

function send(file: ExportFile, response: Response): StreamableFile {
  response.setHeader('X-Content-SHA256', file.sha256);
  response.setHeader('Cache-Control', 'no-store');
  return new StreamableFile(file.stream, { type: file.type, disposition: `attachment; filename="${file.filename}"`, ...(file.length !== undefined ? { length: file.length } : {}) });
}
