import type { Request, Response } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@meridian/config';
import { httpTracingMiddleware } from '@meridian/telemetry';
import { AppModule } from './app.module';
import { ProblemDetailsFilter } from './common/problem.filter';
import { requestIdMiddleware } from './common/request-id';
import { securityHeadersMiddleware } from './common/security-headers';
import { createValidationPipe } from './common/validation';
import { mountQueueDashboard } from './jobs/queue-dashboard';
import { buildOpenApi } from './openapi/openapi';
import { mountPortal, resolvePortalDir } from './portal/portal-static';

/** Builds the HTTP application exactly as production runs it; tests call this too. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Which peers may tell the client address (X-Forwarded-For): login throttling keys on it.
  app.set('trust proxy', config.http.trustProxy);
  app.use(requestIdMiddleware);
  app.use(securityHeadersMiddleware);
  app.use(httpTracingMiddleware);
  app.useBodyParser('json', { limit: config.http.bodyLimit, strict: true });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());

  mountQueueDashboard(app);

  const document = buildOpenApi(app, config.http.publicUrl);
  const express = app.getHttpAdapter().getInstance() as { get(path: string, handler: (req: Request, res: Response) => void): void };
  express.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', customSiteTitle: 'Meridian API' });
  mountPortal(app, resolvePortalDir(config.portal.dir));
  return app;
}
