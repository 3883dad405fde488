import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination';
import { TenantResource } from '../common/tenant-resource';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyPage, ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto';
import { Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from './principal';

@ApiTags('api-keys')
@ApiBearerAuth()
@TenantResource('apiKey')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Allow(...TENANT_ADMINS)
  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(principal, body);
  }

  @Allow(...TENANT_ADMINS)
  @Get()
  @ApiOkResponse({ type: ApiKeyPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.apiKeys.list(principal, query);
  }

  @Allow(...TENANT_ADMINS)
  @Get(':id')
  @ApiOkResponse({ type: ApiKeyView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<ApiKeyView> {
    return this.apiKeys.get(principal, id);
  }

  @Allow(...TENANT_ADMINS)
  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.apiKeys.revoke(principal, id);
  }
}
