import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { JobList, JobQuery, JobView } from './dto/job.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@TenantResource('job')
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Allow(...TENANT_ADMINS)
  @Post('expire-enrollment-tokens')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: JobView, description: 'Queued; the worker marks this tenant’s lapsed enrollment tokens expired' })
  expireEnrollmentTokens(@CurrentPrincipal() principal: Principal) {
    return this.jobs.expireEnrollmentTokens(principal);
  }

  @Allow(...TENANT_ADMINS)
  @Get()
  @ApiOkResponse({ type: JobList, description: 'This tenant’s jobs in one state; state=failed is the dead-letter view' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: JobQuery) {
    return this.jobs.list(principal, query);
  }

  @Allow(...TENANT_ADMINS)
  @Get(':id')
  @ApiOkResponse({ type: JobView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.jobs.get(principal, id);
  }

  @Allow(...TENANT_ADMINS)
  @Post(':id/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: JobView })
  retry(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.jobs.retry(principal, id);
  }
}
