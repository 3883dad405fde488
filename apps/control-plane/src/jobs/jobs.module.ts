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
import { RolloutsProducer } from './rollouts.producer';

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.redis.url, maxRetriesPerRequest: null, connectionName: 'meridian-api-queues' },
        prefix: config.redis.queuePrefix,
      }),
    }),
    BullModule.registerQueue({ name: QUEUES.housekeeping }, { name: QUEUES.governance }, { name: QUEUES.audit }, { name: QUEUES.rollouts }),
  ],
  controllers: [JobsController],
  providers: [HousekeepingProducer, GovernanceProducer, AuditProducer, RolloutsProducer, JobsService, QueueMetrics],
  exports: [HousekeepingProducer, GovernanceProducer, AuditProducer, RolloutsProducer, JobsService],
})
export class JobsModule {}
