import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, SITE_OPERATORS, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { CreateEnrollmentTokenDto, CreatedEnrollmentTokenView, EnrollmentTokenPage, EnrollmentTokenQuery, EnrollmentTokenView } from './dto/enrollment-token.dto';
import { EnrollmentTokensService } from './enrollment-tokens.service';

@ApiTags('enrollment-tokens')
@ApiBearerAuth()
@TenantResource('enrollmentToken')
@Controller('v1/enrollment-tokens')
export class EnrollmentTokensController {
  constructor(private readonly tokens: EnrollmentTokensService) {}

  @Allow(...SITE_OPERATORS)
  @Post()
  @ApiCreatedResponse({ type: CreatedEnrollmentTokenView })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateEnrollmentTokenDto) {
    return this.tokens.create(principal, body);
  }

  @Allow(...SITE_OPERATORS)
  @Get()
  @ApiOkResponse({ type: EnrollmentTokenPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: EnrollmentTokenQuery) {
    return this.tokens.list(principal, query);
  }

  @Allow(...SITE_OPERATORS)
  @Get(':id')
  @ApiOkResponse({ type: EnrollmentTokenView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.tokens.get(principal, id);
  }

  @Allow(...SITE_OPERATORS)
  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.tokens.revoke(principal, id);
  }
}
