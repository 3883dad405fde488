import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AgentAuthService } from './agent-auth.service';
import { AgentGrpcServer } from './agent-grpc.server';
import { AgentMetrics } from './agent.metrics';
import { AuditIngestService } from './audit-ingest.service';
import { EnrollmentService } from './enrollment.service';
import { EnrollmentRateLimiter } from './enrollment-rate-limiter';
import { NodeEventsService } from './node-events.service';
import { NodeReportsService } from './node-reports.service';
import { PolicyPushService } from './policy-push.service';
import { StreamRegistry } from './stream-registry';

@Module({
  imports: [TenancyModule],
  providers: [AgentGrpcServer, AgentAuthService, EnrollmentService, EnrollmentRateLimiter, NodeReportsService, StreamRegistry, NodeEventsService, AgentMetrics, PolicyPushService, AuditIngestService],
  exports: [NodeEventsService, StreamRegistry, AgentGrpcServer],
})
export class AgentsModule {}
