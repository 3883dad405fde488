import { randomUUID } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@meridian/config';
import { AgentsModule } from './agents/agents.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { withoutLinkToken } from './common/request-log';
import { ConfigModule } from './config/config.module';
import { FleetModule } from './fleet/fleet.module';
import { GovernanceModule } from './governance/governance.module';
import { JobsModule } from './jobs/jobs.module';
import { ModelsModule } from './models/models.module';
import { RolloutsModule } from './rollouts/rollouts.module';
import { OpsModule } from './ops/ops.module';
import { PrismaModule } from './prisma/prisma.module';
import { RedisModule } from './redis/redis.module';
import { TenancyModule } from './tenancy/tenancy.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Set by requestIdMiddleware, which runs first.
            genReqId: (request) => (request as { id?: string }).id ?? randomUUID(),
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
            // A download link's token opens an export (once, for a minute): not in the request log either.
            serializers: { req: withoutLinkToken },
            // A 503 is a backing service away for a moment (its filter logs why, once): a warning, like the 4xx.
            customLogLevel: (_request, response, error) => (response.statusCode === 503 ? 'warn' : error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
            autoLogging: { ignore: (request) => request.url === '/healthz' || request.url === '/metrics' },
          },
        }),
        PrismaModule,
        RedisModule,
        OpsModule,
        AuthModule,
        TenancyModule,
        FleetModule,
        AgentsModule,
        JobsModule,
        GovernanceModule,
        AuditModule,
        ModelsModule,
        RolloutsModule,
      ],
    };
  }
}
