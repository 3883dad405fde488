import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ArtifactDeliveryService } from './artifact-delivery.service';
import { DesiredStateService } from './desired-state.service';
import { ModelReportsService } from './model-reports.service';
import { AgentAuthService } from './agent-auth.service';
import { AgentGrpcServer } from './agent-grpc.server';
import { AgentMetrics } from './agent.metrics';
import { AuditIngestService } from './audit-ingest.service';
import { AuditUploadQuota } from './audit-upload-quota';
import { EnrollmentService } from './enrollment.service';
import { EnrollmentRateLimiter } from './enrollment-rate-limiter';
import { NodeEventsService } from './node-events.service';
import { NodeReportsService } from './node-reports.service';
import { PolicyChannelService } from './policy-channel.service';
import { PolicyPushService } from './policy-push.service';
import { StreamRegistry } from './stream-registry';

@Module({
  imports: [TenancyModule, ModelsModule],
  providers: [AgentGrpcServer, AgentAuthService, EnrollmentService, EnrollmentRateLimiter, NodeReportsService, StreamRegistry, NodeEventsService, AgentMetrics, PolicyPushService, PolicyChannelService, AuditIngestService, AuditUploadQuota, DesiredStateService, ArtifactDeliveryService, ModelReportsService],
  exports: [NodeEventsService, StreamRegistry, AgentGrpcServer],
})
export class AgentsModule {}
