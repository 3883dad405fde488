import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Module({ imports: [JobsModule], controllers: [AuditController], providers: [AuditService] })
export class AuditModule {}
