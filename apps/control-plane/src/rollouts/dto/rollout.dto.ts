import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { NODE_MODEL_STATES } from '@meridian/models';

/** Selector and strategy are validated by @meridian/models (rolloutSelectorSchema, rolloutStrategySchema) so errors carry their paths. */
export class CreateRolloutDto {
  @ApiProperty({ description: 'Model to roll out' })
  @IsUUID()
  modelId!: string;

  @ApiProperty({ example: '1.2.0', description: 'A published version of the model' })
  @IsString()
  @Length(1, 64)
  version!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { countries: ['ID', 'CL'], labels: { line: 'a' } },
    description: 'Which nodes: countries, siteIds, labels (all given criteria must match; any entry of a list). Empty: every node of the tenant.',
  })
  @IsOptional()
  @IsObject()
  selector?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { canary: { count: 1 }, batchSize: 50, pauseSeconds: 60, batchTimeoutSeconds: 600, gate: { minActivationRatio: 1, maxErrorRate: 0.05, minRequests: 1, observeSeconds: 30 } },
    description: 'Canary (count or percent), batch size, pause between batches, batch time-out and health gate',
  })
  @IsOptional()
  @IsObject()
  strategy?: Record<string, unknown>;
}

export class AbortRolloutDto {
  @ApiPropertyOptional({ default: false, description: 'Also send the nodes the rollout reached back to their previous version' })
  @IsOptional()
  @IsBoolean()
  rollback?: boolean;

  @ApiPropertyOptional({ example: 'wrong thresholds for line B' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class RollbackRolloutDto {
  @ApiPropertyOptional({ example: 'operators report false alarms on line B' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class GateResultView {
  @ApiProperty() batch!: number;
  @ApiProperty() passed!: boolean;
  @ApiProperty() activationRatio!: number;
  @ApiProperty({ type: Number, nullable: true }) errorRate!: number | null;
  @ApiProperty() requests!: number;
  @ApiProperty() errors!: number;
  @ApiProperty({ type: [String] }) reasons!: string[];
  @ApiProperty() evaluatedAt!: string;
}

export class StateCountsView {
  @ApiProperty() pending!: number;
  @ApiProperty() downloading!: number;
  @ApiProperty() verifying!: number;
  @ApiProperty() activating!: number;
  @ApiProperty() active!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() rolled_back!: number;
}

export class BatchView {
  @ApiProperty() batch!: number;
  @ApiProperty() nodes!: number;
  @ApiProperty({ description: 'Whether the batch has started' }) started!: boolean;
  @ApiProperty({ type: StateCountsView }) counts!: StateCountsView;
}

export class RolloutView {
  @ApiProperty() id!: string;
  @ApiProperty() modelId!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ enum: ['running', 'paused', 'completed', 'rolled_back', 'aborted'] }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) selector!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true }) strategy!: unknown;
  @ApiProperty() totalBatches!: number;
  @ApiProperty({ description: '0 until the canary starts' }) currentBatch!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) finishedAt!: Date | null;
}

export class RolloutProgressView extends RolloutView {
  @ApiProperty() totalNodes!: number;
  @ApiProperty({ description: 'Nodes whose batch has started' }) touchedNodes!: number;
  @ApiProperty({ type: StateCountsView, description: 'Touched nodes by state' }) counts!: StateCountsView;
  @ApiProperty({ description: 'Share of all target nodes active on the version, 0-100' }) percentActive!: number;
  @ApiProperty({ type: [BatchView] }) batches!: BatchView[];
  @ApiProperty({ type: [GateResultView] }) gateResults!: GateResultView[];
}

export class RolloutList {
  @ApiProperty({ type: [RolloutView] }) items!: RolloutView[];
}

export class RolloutNodeQuery {
  @ApiPropertyOptional({ enum: NODE_MODEL_STATES })
  @IsOptional()
  @IsIn(NODE_MODEL_STATES)
  state?: (typeof NODE_MODEL_STATES)[number];

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  batch?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextAfter of the previous page' })
  @IsOptional()
  @IsUUID()
  after?: string;
}

export class RolloutNodeView {
  @ApiProperty() nodeId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() siteId!: string;
  @ApiProperty() country!: string;
  @ApiProperty() batch!: number;
  @ApiProperty({ enum: NODE_MODEL_STATES }) state!: string;
  @ApiProperty({ description: 'Whether the node\'s batch has started' }) started!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Version the node goes back to on rollback' }) previousVersion!: string | null;
  @ApiProperty({ type: String, nullable: true }) detail!: string | null;
  @ApiProperty() updatedAt!: Date;
}

export class RolloutNodePage {
  @ApiProperty({ type: [RolloutNodeView] }) items!: RolloutNodeView[];
  @ApiProperty({ type: String, nullable: true }) nextAfter!: string | null;
}
