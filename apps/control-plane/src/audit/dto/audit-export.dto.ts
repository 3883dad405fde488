import { ApiProperty } from '@nestjs/swagger';

export class AuditExportView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status!: 'queued' | 'running' | 'completed' | 'failed';
  @ApiProperty({ description: 'Percent done, 0–100' }) progress!: number;
  @ApiProperty({ example: 'user:…' }) requestedBy!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Size of the log the bundle covers (its newest checkpoint)' }) treeSize!: number | null;
  @ApiProperty({ type: Number, nullable: true }) eventCount!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 (hex) of the bundle file as downloaded' }) sha256!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Size of the bundle file in bytes' }) sizeBytes!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the export failed' }) error!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) completedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where to download the bundle once completed' }) downloadUrl!: string | null;
}

export class AuditExportList {
  @ApiProperty({ type: [AuditExportView] }) items!: AuditExportView[];
}
