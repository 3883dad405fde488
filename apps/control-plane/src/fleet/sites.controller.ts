import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ANY_ROLE, Allow, CurrentPrincipal, TENANT_ADMINS, VENDOR_STAFF, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { CreateSiteDto, SitePage, SiteQuery, SiteView, UpdateSiteDto } from './dto/site.dto';
import { SitesService } from './sites.service';

@ApiTags('sites')
@ApiBearerAuth()
@TenantResource('site')
@Controller('v1/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: SitePage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: SiteQuery) {
    return this.sites.list(principal, query);
  }

  @Allow(...TENANT_ADMINS)
  @Post()
  @ApiCreatedResponse({ type: SiteView })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSiteDto) {
    return this.sites.create(principal, body);
  }

  @Allow(...ANY_ROLE)
  @Get(':id')
  @ApiOkResponse({ type: SiteView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.sites.get(principal, id);
  }

  @Allow(...VENDOR_STAFF)
  @Patch(':id')
  @ApiOkResponse({ type: SiteView })
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateSiteDto) {
    return this.sites.update(principal, id, body);
  }

  @Allow(...TENANT_ADMINS)
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.sites.remove(principal, id);
  }
}
