import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Role } from '@meridian/db';
import { Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { PageQuery } from '../common/pagination';
import { TenantResource } from '../common/tenant-resource';
import { AddMemberDto, CreateUserDto, UpdateUserDto, UserPage, UserView } from './dto/user.dto';
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
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.users.remove(principal, id);
  }
}
