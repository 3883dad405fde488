import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ANY_ROLE, Allow, CurrentPrincipal, VENDOR_STAFF, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { AbortRolloutDto, CreateRolloutDto, RollbackRolloutDto, RolloutList, RolloutNodePage, RolloutNodeQuery, RolloutProgressView } from './dto/rollout.dto';
import { RolloutsService } from './rollouts.service';

@ApiTags('rollouts')
@ApiBearerAuth()
@TenantResource('rollout')
@Controller('v1/rollouts')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: RolloutList })
  list(@CurrentPrincipal() principal: Principal) {
    return this.rollouts.list(principal);
  }

  @Allow(...VENDOR_STAFF)
  @Post()
  @ApiCreatedResponse({ type: RolloutProgressView, description: 'Plans the rollout (targets, canary, batches) and starts it; the worker runs it' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateRolloutDto) {
    return this.rollouts.create(principal, body);
  }

  @Allow(...ANY_ROLE)
  @Get(':id')
  @ApiOkResponse({ type: RolloutProgressView, description: 'Progress: nodes per state and batch, gate results' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.rollouts.get(principal, id);
  }

  @Allow(...ANY_ROLE)
  @Get(':id/nodes')
  @ApiOkResponse({ type: RolloutNodePage, description: 'Nodes of the rollout with their state (integrators: their sites only)' })
  nodes(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Query() query: RolloutNodeQuery) {
    return this.rollouts.nodes(principal, id, query);
  }

  @Allow(...VENDOR_STAFF)
  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutProgressView, description: 'No new batch starts; nodes already on their way carry on' })
  pause(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.rollouts.pause(principal, id);
  }

  @Allow(...VENDOR_STAFF)
  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutProgressView })
  resume(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.rollouts.resume(principal, id);
  }

  @Allow(...VENDOR_STAFF)
  @Post(':id/abort')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutProgressView, description: 'Stops the rollout; with rollback, the nodes it reached go back to their previous version' })
  abort(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: AbortRolloutDto) {
    return this.rollouts.abort(principal, id, body);
  }

  @Allow(...VENDOR_STAFF)
  @Post(':id/rollback')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutProgressView, description: 'Sends the nodes the rollout reached back to their previous version' })
  rollback(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: RollbackRolloutDto) {
    return this.rollouts.rollback(principal, id, body.reason);
  }
}
