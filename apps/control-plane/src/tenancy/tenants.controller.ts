import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Role } from '@meridian/db';
import { ANY_ROLE, Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { PageQuery } from '../common/pagination';
import { TenantResource } from '../common/tenant-resource';
import { CreateTenantDto, TenantPage, TenantView, UpdateTenantDto } from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@ApiBearerAuth()
@TenantResource('tenant')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: TenantPage, description: 'Your tenant; every tenant for platform admins' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.tenants.list(principal, query);
  }

  @Allow(Role.platform_admin)
  @Post()
  @ApiCreatedResponse({ type: TenantView })
  create(@Body() body: CreateTenantDto) {
    return this.tenants.create(body);
  }

  @Allow(...ANY_ROLE)
  @Get(':id')
  @ApiOkResponse({ type: TenantView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.tenants.get(principal, id);
  }

  @Allow(...TENANT_ADMINS)
  @Patch(':id')
  @ApiOkResponse({ type: TenantView })
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateTenantDto) {
    return this.tenants.update(principal, id, body);
  }

  @Allow(Role.platform_admin)
  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.tenants.remove(id);
  }
}
