import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsEnum, IsOptional, IsUUID, NotEquals } from 'class-validator';
import { Role } from '@meridian/db';
import { IsDisplayName } from '../../common/display-name';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci-pipeline' })
  @IsDisplayName(100)
  name!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  @IsEnum(Role)
  @NotEquals(Role.platform_admin, { message: 'API keys cannot carry the platform_admin role' })
  role!: Role;

  @ApiPropertyOptional({ description: 'Required for integrator roles: the organisation whose sites the key may see' })
  @IsOptional()
  @IsUUID()
  integratorOrgId?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; no expiry when omitted' })
  @IsOptional()
  @IsDateString()
  expiresAt?: string;
}

export class ApiKeyView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'First characters of the key, to tell keys apart' }) prefix!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) integratorOrgId!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) expiresAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastUsedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) revokedAt!: Date | null;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The key itself. Shown once; only its hash is stored.' }) key!: string;
}

export class ApiKeyPage {
  @ApiProperty({ type: [ApiKeyView] }) items!: ApiKeyView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
