import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { JobsModule } from '../jobs/jobs.module';
import { RolloutMetrics } from './rollout.metrics';
import { RolloutsController } from './rollouts.controller';
import { RolloutsService } from './rollouts.service';

@Module({
  imports: [JobsModule, AgentsModule],
  controllers: [RolloutsController],
  providers: [RolloutsService, RolloutMetrics],
})
export class RolloutsModule {}
