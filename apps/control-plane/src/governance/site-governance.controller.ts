import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Role } from '@meridian/db';
import { ANY_ROLE, Allow, CurrentPrincipal, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { ConsentService } from './consent.service';
import { ConsentDto, ConsentView, SitePolicyStatusView } from './dto/policy.dto';
import { PoliciesService } from './policies.service';

@ApiTags('consent')
@ApiBearerAuth()
@TenantResource('site')
@Controller('v1/sites')
export class SiteGovernanceController {
  constructor(
    private readonly consent: ConsentService,
    private readonly policies: PoliciesService,
  ) {}

  @Allow(...ANY_ROLE)
  @Get(':id/consent')
  @ApiOkResponse({ type: ConsentView })
  getConsent(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.consent.get(principal, id);
  }

  /** Integrator admins set the flags of their own sites; vendor admins of any. */
  @Allow(Role.platform_admin, Role.vendor_admin, Role.integrator_admin)
  @Put(':id/consent')
  @ApiOkResponse({ type: ConsentView })
  setConsent(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: ConsentDto) {
    return this.consent.set(principal, id, body.flags);
  }

  @Allow(...ANY_ROLE)
  @Get(':id/policy-status')
  @ApiOkResponse({ type: SitePolicyStatusView, description: 'Latest bundle of the site and which nodes run it' })
  policyStatus(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.policies.siteStatus(principal, id);
  }
}
