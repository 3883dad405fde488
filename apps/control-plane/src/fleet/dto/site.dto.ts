import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { ISO_COUNTRIES } from '../countries';
import { IsDisplayName } from '../../common/display-name';

const COUNTRIES = [...ISO_COUNTRIES];
const countryMessage = { message: 'country must be an ISO 3166-1 alpha-2 code in upper case, e.g. ID or CL' };

export class CreateSiteDto {
  @ApiProperty({ example: 'Cikarang Plant' })
  @IsDisplayName(200)
  name!: string;

  @ApiProperty({ example: 'ID', description: 'ISO 3166-1 alpha-2' })
  @IsIn(COUNTRIES, countryMessage)
  country!: string;

  @ApiPropertyOptional({ example: 'West Java' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  region?: string;

  @ApiPropertyOptional({ description: 'Integrator organisation operating this site' })
  @IsOptional()
  @IsUUID()
  integratorOrgId?: string;
}

export class UpdateSiteDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsDisplayName(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(COUNTRIES, countryMessage)
  country?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @ValidateIf((_o, value) => value !== null)
  @IsOptional()
  @IsString()
  @Length(1, 100)
  region?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @ValidateIf((_o, value) => value !== null)
  @IsOptional()
  @IsUUID()
  integratorOrgId?: string | null;
}

export class SiteQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'CL' })
  @IsOptional()
  @IsIn(COUNTRIES, countryMessage)
  country?: string;
}

export class SiteView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() country!: string;
  @ApiProperty({ type: String, nullable: true }) region!: string | null;
  @ApiProperty({ type: String, nullable: true }) integratorOrgId!: string | null;
  @ApiProperty() nodeCount!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class SitePage {
  @ApiProperty({ type: [SiteView] }) items!: SiteView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
