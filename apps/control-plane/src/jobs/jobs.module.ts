import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { QUEUES } from '@meridian/jobs';
import { APP_CONFIG } from '../config/config.module';
import { AuditProducer } from './audit.producer';
import { GovernanceProducer } from './governance.producer';
import { HousekeepingProducer } from './housekeeping.producer';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { QueueMetrics } from './queue-metrics';

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.redis.url, maxRetriesPerRequest: null, connectionName: 'meridian-api-queues' },
        prefix: config.redis.queuePrefix,
      }),
    }),
    BullModule.registerQueue({ name: QUEUES.housekeeping }, { name: QUEUES.governance }, { name: QUEUES.audit }),
  ],
  controllers: [JobsController],
  providers: [HousekeepingProducer, GovernanceProducer, AuditProducer, JobsService, QueueMetrics],
  exports: [HousekeepingProducer, GovernanceProducer, AuditProducer, JobsService],
})
export class JobsModule {}
