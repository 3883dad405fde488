import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Role } from '@meridian/db';

export class LoginDto {
  @ApiProperty({ example: 'vendor.admin@demo-vendor.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'meridian-demo' })
  @IsString()
  @Length(1, 200)
  password!: string;

  @ApiPropertyOptional({ description: 'Tenant to act in; defaults to the first membership' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: 'The password the account has now' })
  @IsString()
  @Length(1, 200)
  currentPassword!: string;

  @ApiProperty({ description: 'At least 12 characters, and not the current one' })
  @IsString()
  @Length(12, 200)
  newPassword!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(10, 200)
  refreshToken!: string;
}

export class SwitchTenantDto {
  @ApiProperty()
  @IsUUID()
  tenantId!: string;
}

export class MembershipView {
  @ApiProperty() tenantId!: string;
  @ApiProperty() tenantName!: string;
  @ApiProperty() tenantSlug!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) integratorOrgId!: string | null;
}

export class SessionView {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'Single use: each refresh returns a new one' }) refreshToken!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty({ type: [MembershipView] }) memberships!: MembershipView[];
}

export class MeView {
  @ApiProperty({ enum: ['user', 'api_key'] }) kind!: 'user' | 'api_key';
  @ApiProperty() subjectId!: string;
  @ApiPropertyOptional() email?: string;
  @ApiPropertyOptional() displayName?: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) integratorOrgId!: string | null;
  @ApiProperty({ type: [MembershipView] }) memberships!: MembershipView[];
}
