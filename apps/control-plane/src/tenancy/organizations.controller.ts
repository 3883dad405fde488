import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ANY_ROLE, Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { PageQuery } from '../common/pagination';
import { TenantResource } from '../common/tenant-resource';
import { CreateOrganizationDto, OrganizationPage, OrganizationView, UpdateOrganizationDto } from './dto/organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@ApiBearerAuth()
@TenantResource('organization')
@Controller('v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: OrganizationPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.organizations.list(principal, query);
  }

  @Allow(...TENANT_ADMINS)
  @Post()
  @ApiCreatedResponse({ type: OrganizationView })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateOrganizationDto) {
    return this.organizations.create(principal, body);
  }

  @Allow(...ANY_ROLE)
  @Get(':id')
  @ApiOkResponse({ type: OrganizationView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.organizations.get(principal, id);
  }

  @Allow(...TENANT_ADMINS)
  @Patch(':id')
  @ApiOkResponse({ type: OrganizationView })
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateOrganizationDto) {
    return this.organizations.update(principal, id, body);
  }

  @Allow(...TENANT_ADMINS)
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.organizations.remove(principal, id);
  }
}
