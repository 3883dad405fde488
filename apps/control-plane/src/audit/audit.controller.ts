import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Role } from '@meridian/db';
import { ANY_ROLE, Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { JobView } from '../jobs/dto/job.dto';
import { AuditExportsService } from './audit-exports.service';
import { AuditService } from './audit.service';
import { AuditEventDetailView, AuditExportLineView, AuditEventPage, AuditEventQuery, CheckpointList, ConsistencyProofView, ConsistencyQuery, VerificationView } from './dto/audit.dto';

const AUDIT_READERS = ANY_ROLE;
/** Who may take the whole log out of the system: auditors above all. */
export const EXPORTERS = [Role.platform_admin, Role.vendor_admin, Role.auditor];
/** Who may have the whole log re-verified (it reads every event). */
export const VERIFIERS = [Role.platform_admin, Role.vendor_admin, Role.vendor_engineer, Role.auditor];

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly exports: AuditExportsService,
  ) {}

  @Allow(...AUDIT_READERS)
  @Get('events')
  @ApiOkResponse({ type: AuditEventPage, description: 'Newest first; filter by source, site, category, decision, actor, type, time' })
  events(@CurrentPrincipal() principal: Principal, @Query() query: AuditEventQuery) {
    return this.audit.events(principal, query);
  }

  @Allow(...AUDIT_READERS)
  @Get('events/:sourceId/:seq')
  @ApiOkResponse({ type: AuditEventDetailView, description: 'The event, whether its hash still matches, and its inclusion proof against the latest checkpoint' })
  event(@CurrentPrincipal() principal: Principal, @Param('sourceId') sourceId: string, @Param('seq', ParseIntPipe) seq: number) {
    return this.audit.event(principal, sourceId, seq);
  }

  @Allow(...AUDIT_READERS)
  @Get('checkpoints')
  @ApiOkResponse({ type: CheckpointList })
  checkpoints(@CurrentPrincipal() principal: Principal) {
    return this.audit.checkpoints(principal);
  }

  @Allow(...TENANT_ADMINS)
  @Post('checkpoints')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: JobView })
  requestCheckpoint(@CurrentPrincipal() principal: Principal) {
    return this.audit.requestCheckpoint(principal);
  }

  @Allow(...AUDIT_READERS)
  @Get('proofs/consistency')
  @ApiOkResponse({ type: ConsistencyProofView })
  consistency(@CurrentPrincipal() principal: Principal, @Query() query: ConsistencyQuery) {
    return this.audit.consistency(principal, query.from, query.to);
  }

  @Allow(...VERIFIERS)
  @Get('verify')
  @ApiOkResponse({
    type: VerificationView,
    description: 'Re-verifies every chain and the latest checkpoint from the stored rows, within the request (about 20 s at a million events); names the first bad event. For large logs use POST /v1/audit/verifications',
  })
  verify(@CurrentPrincipal() principal: Principal) {
    return this.audit.verify(principal);
  }

  @Allow(...EXPORTERS)
  @Get('export')
  @ApiProduces('application/x-ndjson')
  @ApiExtraModels(AuditExportLineView)
  @ApiOkResponse({
    description:
      'The meridian.audit-export.v3 bundle (JSON Lines, uncompressed; each line holds one member of AuditExportLineView), read from the log within the request and streamed as it is read, never built in memory. ' +
      'A convenience for small logs: the request holds a read transaction (and a database connection) for at most 5 minutes, and a response cut short lacks the end line, which the verifier reports. ' +
      'For large logs use POST /v1/audit/exports (built by the worker, downloaded gzip-compressed). Verify with `meridian audit verify`',
    content: { 'application/x-ndjson': { schema: { $ref: getSchemaPath(AuditExportLineView) }, example: '{"format":"meridian.audit-export.v3",…}\n{"signingKey":{…}}\n{"checkpoint":{…}}\n{"event":{…}}\n{"end":{…}}\n' } },
  })
  async exportNow(@CurrentPrincipal() principal: Principal): Promise<StreamableFile> {
    const file = await this.exports.now(principal);
    return new StreamableFile(file.stream, { type: file.type });
  }
}
