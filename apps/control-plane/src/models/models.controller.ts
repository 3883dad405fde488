import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ANY_ROLE, Allow, CurrentPrincipal, VENDOR_STAFF, type Principal } from '../auth/principal';
import { TenantResource } from '../common/tenant-resource';
import { CreateModelDto, ModelDetailView, ModelList, ModelVersionView, ModelView, SaveModelVersionDto } from './dto/model.dto';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiBearerAuth()
@TenantResource('model')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: ModelList })
  list(@CurrentPrincipal() principal: Principal) {
    return this.models.list(principal);
  }

  @Allow(...VENDOR_STAFF)
  @Post()
  @ApiCreatedResponse({ type: ModelView })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateModelDto) {
    return this.models.create(principal, body);
  }

  @Allow(...ANY_ROLE)
  @Get(':id')
  @ApiOkResponse({ type: ModelDetailView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.models.get(principal, id);
  }

  @Allow(...ANY_ROLE)
  @Get(':id/versions/:version')
  @ApiOkResponse({ type: ModelVersionView })
  version(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Param('version') version: string) {
    return this.models.getVersion(principal, id, version);
  }

  @Allow(...VENDOR_STAFF)
  @Put(':id/versions/:version')
  @ApiOkResponse({ type: ModelVersionView, description: 'Creates the draft version with its card, or replaces the card of a draft; a published version answers 409' })
  async save(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Param('version') version: string, @Body() body: SaveModelVersionDto) {
    return (await this.models.saveVersion(principal, id, version, body.card)).view;
  }

  @Allow(...VENDOR_STAFF)
  @Put(':id/versions/:version/artifact')
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'The ONNX file as the raw body; streamed to the artifact store, never buffered' })
  @ApiHeader({ name: 'x-artifact-sha256', required: false, description: 'sha256 (hex) of the body: the upload is refused when the bytes differ' })
  @ApiOkResponse({ type: ModelVersionView })
  upload(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Param('version') version: string, @Req() request: Request) {
    const length = request.headers['content-length'];
    const expected = request.headers['x-artifact-sha256'];
    return this.models.uploadArtifact(principal, id, version, {
      contentType: request.headers['content-type'],
      contentLength: length === undefined ? undefined : Number(length),
      expectedSha256: typeof expected === 'string' ? expected : undefined,
      body: request,
    });
  }

  @Allow(...VENDOR_STAFF)
  @Post(':id/versions/:version/publish')
  @HttpCode(200)
  @ApiOkResponse({ type: ModelVersionView, description: 'Signs the manifest with the tenant key; the version is immutable from then on' })
  publish(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Param('version') version: string) {
    return this.models.publish(principal, id, version);
  }
}
