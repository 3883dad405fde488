import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ConsentService } from './consent.service';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';
import { SigningKeysController } from './signing-keys.controller';
import { SigningKeysService } from './signing-keys.service';
import { SiteGovernanceController } from './site-governance.controller';

@Module({
  imports: [JobsModule],
  controllers: [PoliciesController, SiteGovernanceController, SigningKeysController],
  providers: [PoliciesService, ConsentService, SigningKeysService],
})
export class GovernanceModule {}
