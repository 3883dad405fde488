import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import { ACTIONS } from '@meridian/governance';

/** The document itself is validated by libs/governance (so errors carry policy paths); here only its envelope. */
function IsDocument(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isDocument',
      validator: {
        validate: (value: unknown) => (typeof value === 'string' && value.length <= 256_000) || (typeof value === 'object' && value !== null && !Array.isArray(value)),
        defaultMessage: () => 'document must be a policy object, or JSON/YAML text of one',
      },
    },
    options,
  );
}

export class SavePolicyDto {
  @ApiProperty({ description: 'The policy document: an object, or its JSON or YAML text', oneOf: [{ type: 'object' }, { type: 'string' }] })
  @IsDocument()
  document!: Record<string, unknown> | string;

  @ApiPropertyOptional({ example: 'Tighten image egress for CL' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  comment?: string;
}

export class PolicyIssueView {
  @ApiProperty({ example: 'categories.inspection_images.egress.allow[1]' }) path!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ enum: ['error', 'warning'] }) severity?: 'error' | 'warning';
}

export class PolicyVersionView {
  @ApiProperty({ example: 'CL', description: '"base" or a country code' }) scope!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) document!: unknown;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ type: String, nullable: true }) createdBy!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class SavedPolicyView extends PolicyVersionView {
  @ApiProperty({ type: [PolicyIssueView], description: 'Loosening of the base and other things worth a second look' }) warnings!: PolicyIssueView[];
}

export class PolicyHeadView {
  @ApiProperty() scope!: string;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: Date;
}

export class PolicyHeadList {
  @ApiProperty({ type: [PolicyHeadView] }) items!: PolicyHeadView[];
}

export class PolicyVersionList {
  @ApiProperty({ type: [PolicyVersionView] }) items!: PolicyVersionView[];
}

export class DiffQuery {
  @ApiProperty()
  @Type(() => Number)
  @ValidateBy({ name: 'positiveInt', validator: { validate: (v: unknown) => Number.isInteger(v) && (v as number) > 0, defaultMessage: () => 'from must be a version number' } })
  from!: number;

  @ApiProperty()
  @Type(() => Number)
  @ValidateBy({ name: 'positiveInt', validator: { validate: (v: unknown) => Number.isInteger(v) && (v as number) > 0, defaultMessage: () => 'to must be a version number' } })
  to!: number;
}

export class DiffEntryView {
  @ApiProperty({ example: 'categories.inspection_images.egress.allow' }) path!: string;
  @ApiProperty({ enum: ['added', 'removed', 'changed'] }) change!: 'added' | 'removed' | 'changed';
  @ApiPropertyOptional() from?: unknown;
  @ApiPropertyOptional() to?: unknown;
}

export class DiffView {
  @ApiProperty() scope!: string;
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty({ type: [DiffEntryView] }) changes!: DiffEntryView[];
}

export class SimulateDto {
  @ApiProperty()
  @IsUUID()
  siteId!: string;

  @ApiProperty({ example: 'inspection_images' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{1,62}$/, { message: 'category names are lower_snake_case' })
  category!: string;

  @ApiProperty({ enum: ACTIONS })
  @IsIn(ACTIONS)
  action!: (typeof ACTIONS)[number];

  @ApiPropertyOptional({ example: 'vendor_cloud:eu' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  destination?: string;

  @ApiPropertyOptional({ example: 'country' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  location?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'boolean' }, description: 'Try other consent flags than the site has' })
  @IsOptional()
  @IsObject()
  consent?: Record<string, boolean>;
}

export class DecisionView {
  @ApiProperty({ enum: ['allow', 'deny', 'allow_with_redaction'] }) decision!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty({ example: 'overlay:CL', description: 'default, base, overlay:<CC> or consent' }) layer!: string;
  @ApiProperty() reason!: string;
  @ApiPropertyOptional({ type: 'object', properties: { drop: { type: 'array', items: { type: 'string' } }, hash: { type: 'array', items: { type: 'string' } } } })
  redaction?: { drop: string[]; hash: string[] };
  @ApiProperty() provenance!: string;
}

export class PublishDto {
  @ApiPropertyOptional({ type: [String], description: 'Only sites in these countries (default: every site)' })
  @IsOptional()
  @IsArray()
  @Matches(/^[A-Z]{2}$/, { each: true, message: 'countries are ISO 3166-1 alpha-2 codes' })
  countries?: string[];
}

export class ConsentDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' }, example: { vendor_remote_diagnostics: true } })
  @ValidateBy({
    name: 'isFlagMap',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length <= 50 &&
        Object.entries(value).every(([k, v]) => /^[a-z][a-z0-9_]{1,62}$/.test(k) && typeof v === 'boolean'),
      defaultMessage: () => 'flags must map lower_snake_case names to true or false',
    },
  })
  flags!: Record<string, boolean>;
}

export class ConsentView {
  @ApiProperty() siteId!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' } }) flags!: Record<string, boolean>;
  @ApiProperty({ type: Date, nullable: true }) updatedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) updatedBy!: string | null;
  @ApiPropertyOptional({ description: 'Compilation job started by the change' }) jobId?: string;
}

export class NodePolicyStatusView {
  @ApiProperty() nodeId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: Number, nullable: true }) appliedVersion!: number | null;
  @ApiProperty({ type: Date, nullable: true }) appliedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ description: 'Runs the site’s latest bundle' }) compliant!: boolean;
}

export class SitePolicyStatusView {
  @ApiProperty() siteId!: string;
  @ApiProperty() country!: string;
  @ApiProperty({ type: Number, nullable: true }) latestVersion!: number | null;
  @ApiProperty({ type: String, nullable: true }) latestDigest!: string | null;
  @ApiProperty({ type: Date, nullable: true }) publishedAt!: Date | null;
  @ApiProperty({ type: [NodePolicyStatusView] }) nodes!: NodePolicyStatusView[];
}

