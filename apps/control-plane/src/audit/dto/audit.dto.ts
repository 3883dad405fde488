import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Min } from 'class-validator';

export class AuditEventQuery {
  @ApiPropertyOptional({ description: 'node id, or "control-plane"' }) @IsOptional() @IsString() @Length(1, 100) sourceId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() siteId?: string;
  @ApiPropertyOptional({ example: 'inspection_images' }) @IsOptional() @Matches(/^[a-z][a-z0-9_]{1,62}$/) category?: string;
  @ApiPropertyOptional({ example: 'deny' }) @IsOptional() @Matches(/^(allow|deny|allow_with_redaction)$/) decision?: string;
  @ApiPropertyOptional({ example: 'user:…' }) @IsOptional() @IsString() @Length(1, 120) actor?: string;
  @ApiPropertyOptional({ example: 'policy.decision,model.inference', description: 'event type, or up to 10 types separated by commas' })
  @IsOptional()
  @Matches(/^[a-z_.]{1,60}(,[a-z_.]{1,60}){0,9}$/, { message: 'type must be an event type (e.g. policy.decision) or up to 10 of them separated by commas' })
  type?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() to?: string;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor is not a cursor this API issued' }) cursor?: string;
}

export class AuditEventView {
  @ApiProperty() sourceId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty() type!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ type: String, nullable: true, description: 'What the tenant calls that person, node or API key now; null for system actors and ones it no longer knows. Not part of the record: `actor` is what the log proves' })
  actorName!: string | null;
  @ApiProperty({ type: String, nullable: true }) siteId!: string | null;
  @ApiProperty({ type: String, nullable: true }) category!: string | null;
  @ApiProperty({ type: String, nullable: true }) decision!: string | null;
  @ApiProperty() occurredAt!: Date;
  @ApiProperty() receivedAt!: Date;
  @ApiProperty() hash!: string;
  @ApiProperty() prevHash!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Position in the tenant log, once checkpointed' }) logIndex!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) event!: unknown;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView] }) items!: AuditEventView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CheckpointView {
  @ApiProperty() logId!: string;
  @ApiProperty() treeSize!: number;
  @ApiProperty() rootHash!: string;
  @ApiProperty() timestamp!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty() signature!: string;
}

export class CheckpointList {
  @ApiProperty({ type: [CheckpointView] }) items!: CheckpointView[];
}

export class InclusionProofView {
  @ApiProperty() leafIndex!: number;
  @ApiProperty() treeSize!: number;
  @ApiProperty({ description: 'hex of the leaf hash (RFC 9162: SHA-256(0x00 || sourceId \\n seq \\n hash))' }) leafHash!: string;
  @ApiProperty({ type: [String] }) path!: string[];
  @ApiProperty() verified!: boolean;
  @ApiProperty({ type: CheckpointView }) checkpoint!: CheckpointView;
}

export class AuditEventDetailView extends AuditEventView {
  @ApiProperty({ description: 'The record hash recomputed from the stored content matches' }) chainIntact!: boolean;
  @ApiPropertyOptional({ type: InclusionProofView, nullable: true }) inclusion!: InclusionProofView | null;
}

export class ConsistencyQuery {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) from!: number;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) to!: number;
}

export class ConsistencyProofView {
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty({ type: [String] }) proof!: string[];
  @ApiProperty() verified!: boolean;
}

export class VerificationView {
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional() events?: number;
  @ApiPropertyOptional() sources?: number;
  @ApiPropertyOptional({ description: 'The first event that fails: source and seq' }) sourceId?: string;
  @ApiPropertyOptional() seq?: number;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ type: CheckpointView, nullable: true }) checkpoint?: CheckpointView | null;
}

export class ExportSigningKeyView {
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Raw Ed25519 public key, base64' }) publicKey!: string;
}

export class ExportedEventView {
  @ApiProperty() logIndex!: number;
  @ApiProperty() sourceId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
  @ApiProperty({ description: 'Canonical JSON of the event, exactly as hashed' }) body!: string;
}

export class AuditExportCountsView {
  @ApiProperty() events!: number;
  @ApiProperty() sources!: number;
  @ApiProperty() checkpoints!: number;
  @ApiProperty() signingKeys!: number;
}

export class AuditExportEndView {
  @ApiProperty({ type: AuditExportCountsView }) counts!: AuditExportCountsView;
  @ApiProperty({ description: 'sha256 (hex) of every byte of the file before the end line' }) sha256!: string;
}

/**
 * One line of a meridian.audit-export.v3 bundle (libs/audit export-stream.ts), JSON Lines in this
 * order: the header (format, tenantId, …), each signingKey, each checkpoint (growing tree size), each
 * event (log order), and the end line. Each line holds one of these members.
 */
export class AuditExportLineView {
  @ApiPropertyOptional({ enum: ['meridian.audit-export.v3'], description: 'Header (first line), with tenantId, exportedAt, requestedBy and treeSize' }) format?: 'meridian.audit-export.v3';
  @ApiPropertyOptional({ description: 'Header' }) tenantId?: string;
  @ApiPropertyOptional({ description: 'Header' }) exportedAt?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Header' }) requestedBy?: string | null;
  @ApiPropertyOptional({ description: "Header: events in the bundle, the newest checkpoint's tree size" }) treeSize?: number;
  @ApiPropertyOptional({ type: ExportSigningKeyView }) signingKey?: ExportSigningKeyView;
  @ApiPropertyOptional({ type: CheckpointView }) checkpoint?: CheckpointView;
  @ApiPropertyOptional({ type: ExportedEventView }) event?: ExportedEventView;
  @ApiPropertyOptional({ type: AuditExportEndView, description: 'Last line: counts and the digest of everything before it (a file without it was cut short)' }) end?: AuditExportEndView;
}
