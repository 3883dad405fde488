import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiOkResponse({ description: 'The bundle file (application/json); its sha256 is in the X-Content-SHA256 header and the export view' })
  async downloadExport(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    const file = await this.exports.download(principal, id);
    response.setHeader('X-Content-SHA256', file.sha256);
    return new StreamableFile(file.content, { type: 'application/json', disposition: `attachment; filename="${file.filename}"`, length: file.content.length });
  }
}
