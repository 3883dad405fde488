import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { QUEUES } from '@meridian/jobs';
import { WorkerConfigModule } from './config.module';
import { AuditProcessor } from './audit.processor';
import { EventsService } from './events.service';
import { GovernanceProcessor } from './governance.processor';
import { HousekeepingProcessor } from './housekeeping.processor';
import { RolloutProcessor } from './rollout.processor';
import { TenantDb } from './tenant-db.service';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        WorkerConfigModule.forRoot(config),
        BullModule.forRoot({
          connection: { url: config.redis.url, maxRetriesPerRequest: null, connectionName: 'meridian-worker' },
          prefix: config.redis.queuePrefix,
        }),
        BullModule.registerQueue({ name: QUEUES.housekeeping }, { name: QUEUES.governance }, { name: QUEUES.audit }, { name: QUEUES.rollouts }),
      ],
      providers: [TenantDb, EventsService, HousekeepingProcessor, GovernanceProcessor, AuditProcessor, RolloutProcessor],
    };
  }
}
