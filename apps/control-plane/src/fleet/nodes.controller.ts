import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ANY_ROLE, Allow, CurrentPrincipal, SITE_OPERATORS, TENANT_ADMINS, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { NodePage, NodeQuery, NodeView, UpdateNodeDto } from './dto/node.dto';
import { NodesService } from './nodes.service';

@ApiTags('nodes')
@ApiBearerAuth()
@TenantResource('node')
@Controller('v1/nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: NodePage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: NodeQuery) {
    return this.nodes.list(principal, query);
  }

  @Allow(...ANY_ROLE)
  @Get(':id')
  @ApiOkResponse({ type: NodeView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.nodes.get(principal, id);
  }

  @Allow(...SITE_OPERATORS)
  @Patch(':id')
  @ApiOkResponse({ type: NodeView })
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateNodeDto) {
    return this.nodes.update(principal, id, body);
  }

  @Allow(...SITE_OPERATORS)
  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: NodeView })
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.nodes.revoke(principal, id);
  }

  @Allow(...TENANT_ADMINS)
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.nodes.remove(principal, id);
  }
}
