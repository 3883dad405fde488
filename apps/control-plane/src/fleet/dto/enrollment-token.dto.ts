import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { EnrollmentTokenStatus } from '@meridian/db';
import { PageQuery } from '../../common/pagination';

export class CreateEnrollmentTokenDto {
  @ApiProperty({ description: 'Site the enrolling node will belong to' })
  @IsUUID()
  siteId!: string;

  @ApiPropertyOptional({ description: 'Lifetime in seconds (5 minutes to 7 days)', default: 86400 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(300)
  @Max(7 * 24 * 3600)
  ttlSeconds?: number;
}

export class EnrollmentTokenQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  siteId?: string;

  @ApiPropertyOptional({ enum: EnrollmentTokenStatus, enumName: 'EnrollmentTokenStatus' })
  @IsOptional()
  @IsEnum(EnrollmentTokenStatus)
  status?: EnrollmentTokenStatus;
}

export class EnrollmentTokenView {
  @ApiProperty() id!: string;
  @ApiProperty() siteId!: string;
  @ApiProperty({ enum: EnrollmentTokenStatus, enumName: 'EnrollmentTokenStatus' }) status!: EnrollmentTokenStatus;
  @ApiProperty() expiresAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) usedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) usedByNodeId!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class AgentEndpointView {
  @ApiProperty({ example: 'agents.meridian.example.com:443', description: 'host:port agents connect to (MERIDIAN_CONTROL_PLANE)' }) address!: string;
  @ApiProperty({ description: 'Whether the endpoint speaks TLS: the agent then needs MERIDIAN_TLS_CA_FILE, the CA that signed its certificate' }) tls!: boolean;
}

export class CreatedEnrollmentTokenView extends EnrollmentTokenView {
  @ApiProperty({ description: 'Give this to the agent (MERIDIAN_ENROLLMENT_TOKEN). Shown once; only its hash is stored.' }) token!: string;
  @ApiProperty({ type: AgentEndpointView, description: 'Where the enrolling agent connects (AGENT_PUBLIC_ENDPOINT of the control plane)' }) agentEndpoint!: AgentEndpointView;
}

export class EnrollmentTokenPage {
  @ApiProperty({ type: [EnrollmentTokenView] }) items!: EnrollmentTokenView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
