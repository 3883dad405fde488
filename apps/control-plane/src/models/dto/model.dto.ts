import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';

export class CreateModelDto {
  @ApiProperty({ example: 'pump-anomaly', description: 'Unique in the tenant: letters, digits, dots, dashes, underscores' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'name must be 1-100 letters, digits, dots, dashes or underscores' })
  name!: string;

  @ApiPropertyOptional({ example: 'Scores vibration windows of the cooling pumps' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  description?: string;
}

/** The card is validated by @meridian/models (so errors carry card paths) and against the tenant's governance categories. */
export class SaveModelVersionDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Model card (@meridian/models modelCardSchema): task, intendedUse, inputCategories, inputs, outputs, trainingData, exportClassification, …',
  })
  @IsObject()
  card!: Record<string, unknown>;
}

export class ArtifactView {
  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }) sha256!: string;
  @ApiProperty({ description: 'Bytes' }) size!: number;
}

export class ModelVersionView {
  @ApiProperty() id!: string;
  @ApiProperty() modelId!: string;
  @ApiProperty({ example: '1.2.0' }) version!: string;
  @ApiProperty({ enum: ['draft', 'published'] }) status!: 'draft' | 'published';
  @ApiProperty({ type: 'object', additionalProperties: true }) card!: unknown;
  @ApiProperty({ type: ArtifactView, nullable: true }) artifact!: ArtifactView | null;
  @ApiProperty({ type: String, nullable: true, description: 'Signing key of the manifest, once published' }) keyId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 of the signed manifest, once published' }) manifestDigest!: string | null;
  @ApiProperty({ type: Date, nullable: true }) publishedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) publishedBy!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class ModelView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Highest published version (semver order)' }) latestPublished!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class ModelDetailView extends ModelView {
  @ApiProperty({ type: [ModelVersionView], description: 'Newest first (semver order)' }) versions!: ModelVersionView[];
}

export class ModelList {
  @ApiProperty({ type: [ModelView] }) items!: ModelView[];
}
