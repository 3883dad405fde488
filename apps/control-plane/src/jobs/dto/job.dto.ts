import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number] | 'unknown';

export class JobQuery {
  @ApiPropertyOptional({ enum: JOB_STATES, default: 'failed', description: 'failed = the dead-letter view: jobs that used up their retries' })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: (typeof JOB_STATES)[number];

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class JobProgressView {
  @ApiProperty({ minimum: 0, maximum: 100 }) percent!: number;
  @ApiPropertyOptional({ description: 'What the job is doing now, for jobs that work in stages (a verification: chains, then tree)' }) stage?: string;
  @ApiPropertyOptional({ description: 'Rows done in this stage' }) done?: number;
  @ApiPropertyOptional({ description: 'Rows this stage has to do' }) total?: number;
}

export class JobView {
  @ApiProperty() id!: string;
  @ApiProperty() queue!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: [...JOB_STATES, 'unknown'] }) state!: JobState;
  @ApiProperty() attemptsMade!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiPropertyOptional({ type: JobProgressView, nullable: true, description: 'How far the job has come as it last said (exports, verifications report it; other jobs stay at percent 0)' }) progress!: JobProgressView | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) result!: unknown;
  @ApiPropertyOptional({ type: String, nullable: true }) failedReason!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ type: Date, nullable: true }) processedAt!: Date | null;
  @ApiPropertyOptional({ type: Date, nullable: true }) finishedAt!: Date | null;
}

export class JobList {
  @ApiProperty({ type: [JobView] }) items!: JobView[];
}
