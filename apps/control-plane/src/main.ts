import 'reflect-metadata';
import { loadConfigOrExit } from '@meridian/config';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  app.getHttpServer().keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
}

main().catch((error: unknown) => {
  process.stderr.write(`control plane failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
