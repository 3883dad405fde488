import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@meridian/config';
import { AppModule } from '../app.module';
import { buildOpenApi } from './openapi';

/**
 * `node dist/openapi/write-openapi.js <file>`: writes the OpenAPI document without a database,
 * Redis or a port. Preview mode builds the module graph but instantiates no provider, so the
 * document comes from controller metadata alone. Defaults only, so the output is deterministic.
 */
async function main(target: string | undefined): Promise<void> {
  if (!target) throw new Error('usage: write-openapi <output.json>');
  const config = loadConfig({});
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  const document = buildOpenApi(app, config.http.publicUrl);
  await app.close();
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`write-openapi failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
