import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { JobsModule } from '../jobs/jobs.module';
import { EnrollmentTokensController } from './enrollment-tokens.controller';
import { EnrollmentTokensService } from './enrollment-tokens.service';
import { NodesController } from './nodes.controller';
import { NodesService } from './nodes.service';
import { SitesController } from './sites.controller';
import { SitesService } from './sites.service';

@Module({
  imports: [AgentsModule, JobsModule],
  controllers: [SitesController, NodesController, EnrollmentTokensController],
  providers: [SitesService, NodesService, EnrollmentTokensService],
  exports: [SitesService],
})
export class FleetModule {}
