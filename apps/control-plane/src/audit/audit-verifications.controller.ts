import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { JobView } from '../jobs/dto/job.dto';
import { AuditService } from './audit.service';
import { VERIFIERS } from './audit.controller';

/** GET /v1/audit/verify as a worker job, for logs too large to verify within one request. */
@ApiTags('audit')
@ApiBearerAuth()
@TenantResource('job')
@Controller('v1/audit/verifications')
export class AuditVerificationsController {
  constructor(private readonly audit: AuditService) {}

  @Allow(...VERIFIERS)
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: JobView, description: 'The same verification as GET /v1/audit/verify, as a worker job; GET /v1/audit/verifications/:id gives its state and, once completed, its result (a VerificationView)' })
  requestVerification(@CurrentPrincipal() principal: Principal) {
    return this.audit.requestVerification(principal);
  }

  @Allow(...VERIFIERS)
  @Get(':id')
  @ApiOkResponse({ type: JobView, description: 'A verification job: its state and, once completed, its result (a VerificationView: ok, events, sources, or the first bad event and why)' })
  verification(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.audit.verification(principal, id);
  }
}
