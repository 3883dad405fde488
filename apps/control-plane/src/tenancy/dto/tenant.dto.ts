import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsDisplayName } from '../../common/display-name';

export class CreateTenantDto {
  @ApiProperty({ example: 'acme-robotics', description: 'URL-safe identifier, unique across the platform' })
  @IsString()
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { message: 'slug must be lower-case letters, digits and dashes (max 63)' })
  slug!: string;

  @ApiProperty({ example: 'Acme Robotics' })
  @IsDisplayName(200)
  name!: string;
}

export class UpdateTenantDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsDisplayName(200)
  name?: string;
}

export class TenantView {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class TenantPage {
  @ApiProperty({ type: [TenantView] }) items!: TenantView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
