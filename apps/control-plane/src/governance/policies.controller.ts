import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ANY_ROLE, Allow, CurrentPrincipal, TENANT_ADMINS, VENDOR_STAFF, type Principal } from '../auth/principal';
import { JobView } from '../jobs/dto/job.dto';
import { DecisionView, DiffQuery, DiffView, PolicyHeadList, PolicyVersionList, PolicyVersionView, PublishDto, SavePolicyDto, SavedPolicyView, SimulateDto } from './dto/policy.dto';
import { PoliciesService } from './policies.service';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: PolicyHeadList, description: 'Latest version of the base policy and of each country overlay' })
  heads(@CurrentPrincipal() principal: Principal) {
    return this.policies.heads(principal);
  }

  @Allow(...VENDOR_STAFF)
  @Post('simulate')
  @HttpCode(200)
  @ApiOkResponse({ type: DecisionView })
  simulate(@CurrentPrincipal() principal: Principal, @Body() body: SimulateDto) {
    return this.policies.simulate(principal, body);
  }

  @Allow(...TENANT_ADMINS)
  @Post('publish')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: JobView, description: 'Compiles, signs and pushes the bundles of the affected sites' })
  publish(@CurrentPrincipal() principal: Principal, @Body() body: PublishDto) {
    return this.policies.publish(principal, body.countries);
  }

  @Allow(...ANY_ROLE)
  @Get(':scope/versions')
  @ApiOkResponse({ type: PolicyVersionList })
  versions(@CurrentPrincipal() principal: Principal, @Param('scope') scope: string) {
    return this.policies.versions(principal, scope);
  }

  @Allow(...ANY_ROLE)
  @Get(':scope/versions/:version')
  @ApiOkResponse({ type: PolicyVersionView })
  version(@CurrentPrincipal() principal: Principal, @Param('scope') scope: string, @Param('version', ParseIntPipe) version: number) {
    return this.policies.version(principal, scope, version);
  }

  @Allow(...ANY_ROLE)
  @Get(':scope/diff')
  @ApiOkResponse({ type: DiffView })
  diff(@CurrentPrincipal() principal: Principal, @Param('scope') scope: string, @Query() query: DiffQuery) {
    return this.policies.diff(principal, scope, query.from, query.to);
  }

  @Allow(...VENDOR_STAFF)
  @Put(':scope')
  @ApiOkResponse({ type: SavedPolicyView, description: 'Saves a new version of "base" or of a country overlay ("CL"); publish separately' })
  save(@CurrentPrincipal() principal: Principal, @Param('scope') scope: string, @Body() body: SavePolicyDto) {
    return this.policies.save(principal, scope, body);
  }
}
