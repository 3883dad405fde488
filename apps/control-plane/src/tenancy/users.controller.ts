import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Role } from '@meridian/db';
import { Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { PageQuery } from '../common/pagination';
import { TenantResource } from '../common/tenant-resource';
import { AddMemberDto, CreateUserDto, ResetPasswordDto, UpdateUserDto, UserPage, UserView } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@TenantResource('user')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Allow(...TENANT_ADMINS)
  @Get()
  @ApiOkResponse({ type: UserPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.users.list(principal, query);
  }

  @Allow(...TENANT_ADMINS)
  @Post()
  @ApiCreatedResponse({ type: UserView, description: 'Creates an account and its membership in this tenant' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateUserDto) {
    return this.users.create(principal, body);
  }

  // Platform admins only: a tenant admin who could attach any account by e-mail could probe which
  // addresses have accounts in other tenants, and pull people into a tenant they never agreed to join.
  @Allow(Role.platform_admin)
  @Post('memberships')
  @ApiCreatedResponse({ type: UserView, description: 'Adds an existing account (of another tenant) to this tenant' })
  addMember(@CurrentPrincipal() principal: Principal, @Body() body: AddMemberDto) {
    return this.users.addMember(principal, body);
  }

  @Allow(...TENANT_ADMINS)
  @Get(':id')
  @ApiOkResponse({ type: UserView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.users.get(principal, id);
  }

  @Allow(...TENANT_ADMINS)
  @Patch(':id')
  @ApiOkResponse({ type: UserView })
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateUserDto) {
    return this.users.update(principal, id, body);
  }

  @Allow(...TENANT_ADMINS)
  @Post(':id/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: "Set; the person's sessions have ended everywhere. Tenant admins may reset people who belong to this tenant only" })
  @ApiConflictResponse({ description: 'Your own password (change it with POST /v1/auth/password), or a person of other tenants too or a platform admin (a platform admin resets theirs)' })
  resetPassword(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: ResetPasswordDto) {
    return this.users.resetPassword(principal, id, body);
  }

  @Allow(...TENANT_ADMINS)
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.users.remove(principal, id);
  }
}
