import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional, IsUUID, ValidateBy, type ValidationOptions } from 'class-validator';
import { NodeStatus } from '@meridian/db';
import { PageQuery } from '../../common/pagination';
import { ISO_COUNTRIES } from '../countries';
import { IsDisplayName } from '../../common/display-name';

const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;

/** Labels select nodes for rollouts: at most 32 pairs of short lower-case keys and string values. */
export function IsLabelMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isLabelMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 32 &&
          Object.entries(value).every(([k, v]) => LABEL_KEY.test(k) && typeof v === 'string' && v.length <= 63),
        defaultMessage: () => 'labels must be an object of at most 32 entries: keys like "line" or "zone/a", string values up to 63 characters',
      },
    },
    options,
  );
}

export class UpdateNodeDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsDisplayName(100)
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { line: 'A', camera: 'true' } })
  @IsOptional()
  @IsLabelMap()
  labels?: Record<string, string>;
}

export class NodeQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  siteId?: string;

  @ApiPropertyOptional({ enum: NodeStatus, enumName: 'NodeStatus' })
  @IsOptional()
  @IsEnum(NodeStatus)
  status?: NodeStatus;

  @ApiPropertyOptional({ example: 'ID' })
  @IsOptional()
  @IsIn([...ISO_COUNTRIES], { message: 'country must be an ISO 3166-1 alpha-2 code in upper case' })
  country?: string;
}

export class ReportedModelView {
  @ApiProperty() modelId!: string;
  @ApiProperty() version!: string;
  @ApiProperty() state!: string;
}

export class ReportedStateView {
  @ApiPropertyOptional({ description: 'Policy bundle version the agent runs' }) policyVersion?: number;
  @ApiPropertyOptional() policyDigest?: string;
  @ApiPropertyOptional({ type: [ReportedModelView] }) models?: ReportedModelView[];
  @ApiPropertyOptional({ type: 'object', properties: { requests: { type: 'number' }, errors: { type: 'number' }, denied: { type: 'number' } } })
  inference?: { requests: number; errors: number; denied: number };
  @ApiPropertyOptional() uptimeSeconds?: number;
  @ApiPropertyOptional() auditPendingEvents?: number;
}

export class AuditChainView {
  @ApiProperty({ description: 'Last sequence number of the node journal stored and acknowledged' }) acknowledgedSeq!: number;
  @ApiProperty({ type: Date, nullable: true, description: 'When an upload broke the chain; uploads are refused from then on' }) brokenAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) brokenReason!: string | null;
}

export class NodeView {
  @ApiProperty() id!: string;
  @ApiProperty() siteId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty({ enum: NodeStatus, enumName: 'NodeStatus', description: 'online / stale / offline derived from the last heartbeat' }) status!: NodeStatus;
  @ApiProperty({ type: ReportedStateView, description: 'What the agent reported in its last heartbeat' }) reported!: ReportedStateView;
  @ApiProperty({ type: String, nullable: true }) agentVersion!: string | null;
  @ApiProperty({ type: Date, nullable: true }) lastSeenAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) enrolledAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) revokedAt!: Date | null;
  @ApiProperty({ type: AuditChainView, nullable: true, description: 'The node audit chain as stored by the control plane; null before its first upload' }) auditChain!: AuditChainView | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class NodePage {
  @ApiProperty({ type: [NodeView] }) items!: NodeView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
