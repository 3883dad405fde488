import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsDisplayName } from '../../common/display-name';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Nusantara Integrasi' })
  @IsDisplayName(200)
  name!: string;
}

export class UpdateOrganizationDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsDisplayName(200)
  name?: string;
}

export class OrganizationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Sites the organisation operates' }) siteCount!: number;
  @ApiProperty({ description: 'People of this tenant in the organisation' }) memberCount!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class OrganizationPage {
  @ApiProperty({ type: [OrganizationView] }) items!: OrganizationView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
