import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ANY_ROLE, Allow, CurrentPrincipal, TENANT_ADMINS, type Principal } from '../auth/principal';
import { SigningKeysService } from './signing-keys.service';

export class SigningKeyView {
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Raw Ed25519 public key, base64' }) publicKey!: string;
  @ApiProperty({ enum: ['active', 'retired'] }) status!: string;
}

export class SigningKeyList {
  @ApiProperty({ type: [SigningKeyView] }) items!: SigningKeyView[];
}

export class RotationView {
  @ApiProperty({ type: String, nullable: true }) retiredKeyId!: string | null;
  @ApiProperty() activeKeyId!: string;
  @ApiProperty({ description: 'Compilation job that announces the new key to every site' }) jobId!: string;
}

@ApiTags('signing-keys')
@ApiBearerAuth()
@Controller('v1/signing-keys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Allow(...ANY_ROLE)
  @Get()
  @ApiOkResponse({ type: SigningKeyList, description: 'Public keys the tenant signs bundles with (auditors verify with these)' })
  list(@CurrentPrincipal() principal: Principal) {
    return this.keys.list(principal);
  }

  @Allow(...TENANT_ADMINS)
  @Post('rotate')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RotationView })
  rotate(@CurrentPrincipal() principal: Principal) {
    return this.keys.rotate(principal);
  }
}
