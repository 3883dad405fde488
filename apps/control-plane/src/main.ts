import 'reflect-metadata';
import { loadConfigOrExit } from '@meridian/config';
import { startTracing, stopTracing } from '@meridian/telemetry';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  startTracing(config.tracing.serviceName ?? 'meridian-control-plane', config.tracing.otlpEndpoint);
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  app.getHttpServer().keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Stop accepting, let requests in flight finish, close agent streams, pools and queues; exit 0.
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    app.close().then(stopTracing).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`control plane failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
