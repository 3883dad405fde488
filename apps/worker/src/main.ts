import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@meridian/config';
import { startTracing, stopTracing } from '@meridian/telemetry';
import { createLogger } from './logger';
import { WorkerModule } from './worker.module';

/** The worker: BullMQ processors in their own process, no HTTP. Scale it by running more of them. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (startTracing(config.tracing.serviceName ?? 'meridian-worker', config.tracing.otlpEndpoint)) logger.pino.info('tracing on');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  await app.init();
  logger.pino.info({ queuePrefix: config.redis.queuePrefix }, 'worker ready');
  // Finish the jobs in hand (BullMQ workers close gracefully), close connections, exit 0.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.pino.info({ signal }, 'worker stopping');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    app.close().then(stopTracing).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.pino.error({ err: error }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
