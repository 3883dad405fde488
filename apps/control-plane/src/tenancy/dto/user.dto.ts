import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsEnum, IsOptional, IsString, IsUUID, Length, MaxLength, NotEquals, ValidateIf } from 'class-validator';
import { Role } from '@meridian/db';
import { IsDisplayName } from '../../common/display-name';

export class CreateUserDto {
  @ApiProperty({ example: 'operator@plant.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Operator One' })
  @IsDisplayName(200)
  displayName!: string;

  @ApiProperty({ description: 'Initial password, at least 12 characters' })
  @IsString()
  @Length(12, 200)
  password!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  @IsEnum(Role)
  @NotEquals(Role.platform_admin, { message: 'platform_admin is not a tenant role' })
  role!: Role;

  @ApiPropertyOptional({ description: 'Required for integrator roles' })
  @IsOptional()
  @IsUUID()
  integratorOrgId?: string;
}

export class AddMemberDto {
  @ApiProperty({ description: 'E-mail of an existing account (from another tenant)' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  @IsEnum(Role)
  @NotEquals(Role.platform_admin, { message: 'platform_admin is not a tenant role' })
  role!: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  integratorOrgId?: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'A temporary password to hand to the person, at least 12 characters; they change it on the Account page' })
  @IsString()
  @Length(12, 200)
  newPassword!: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsDisplayName(200)
  displayName?: string;

  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @IsOptional()
  @IsEnum(Role)
  @NotEquals(Role.platform_admin, { message: 'platform_admin is not a tenant role' })
  role?: Role;

  @ApiPropertyOptional({ type: String, nullable: true })
  @ValidateIf((_o, value) => value !== null)
  @IsOptional()
  @IsUUID()
  integratorOrgId?: string | null;
}

export class UserView {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) integratorOrgId!: string | null;
  @ApiProperty() membershipId!: string;
  @ApiProperty({ description: 'When the user joined this tenant' }) createdAt!: Date;
}

export class UserPage {
  @ApiProperty({ type: [UserView] }) items!: UserView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
