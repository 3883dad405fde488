import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class AuditExportView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status!: 'queued' | 'running' | 'completed' | 'failed';
  @ApiProperty({ description: 'Percent done, 0–100' }) progress!: number;
  @ApiProperty({ example: 'user:…' }) requestedBy!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Size of the log the bundle covers (its newest checkpoint)' }) treeSize!: number | null;
  @ApiProperty({ type: Number, nullable: true }) eventCount!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 (hex) of the uncompressed bundle: the .jsonl.gz download after gunzip (a v2 .json export from before: the file as downloaded); also in X-Content-SHA256' }) sha256!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Size of the uncompressed bundle in bytes (the download is gzip-compressed, so smaller)' }) sizeBytes!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the export failed' }) error!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) completedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where to download the bundle once completed: meridian-audit-<id>.jsonl.gz (meridian.audit-export.v3, gzip-compressed JSON Lines)' }) downloadUrl!: string | null;
}

export class AuditExportList {
  @ApiProperty({ type: [AuditExportView] }) items!: AuditExportView[];
}

export class AuditExportDownloadLink {
  @ApiProperty({ description: 'GET it without an Authorization header, once, before expiresAt: the bundle file, as GET /v1/audit/exports/:id/download gives it' }) url!: string;
  @ApiProperty() expiresAt!: Date;
}

export class DownloadLinkQuery {
  @ApiProperty({ description: 'From POST /v1/audit/exports/:id/download-link' }) @Matches(/^[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{43}$/, { message: 'token is not a download link token' }) token!: string;
}
