import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { AuditController } from './audit.controller';
import { AuditExportsController } from './audit-exports.controller';
import { AuditExportsService } from './audit-exports.service';
import { AuditVerificationsController } from './audit-verifications.controller';
import { AuditService } from './audit.service';
import { DownloadLinks } from './download-links';

@Module({ imports: [JobsModule], controllers: [AuditController, AuditExportsController, AuditVerificationsController], providers: [AuditService, AuditExportsService, DownloadLinks] })
export class AuditModule {}
