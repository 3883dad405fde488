// Prisma 6.19's CLI carries a WASM schema engine, so `migrate deploy|status` and datamodel-to-datamodel
// `migrate diff` work without downloading anything. Prisma 7's CLI (root prisma.config.ts) is used for
// client generation only. Prisma 6 insists on a `url` in the datasource block, which Prisma 7 forbids,
// so run.mjs hands us a copy of prisma/schema.prisma with the url added.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

const root = path.resolve(__dirname, '../..');

function connectionString(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}

// @prisma/adapter-pg runs a migration by splitting it on ";", which breaks dollar-quoted bodies
// (functions, DO blocks) in the hand-written RLS part. PostgreSQL's simple query protocol takes the
// whole script at once and runs it as one implicit transaction, so a failed migration leaves nothing
// half-applied.
class WholeScriptPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    const raw = adapter as unknown as { client: { query(sql: string): Promise<unknown> }; onError(e: unknown): never };
    adapter.executeScript = async (script: string) => {
      try {
        await raw.client.query(script);
      } catch (error) {
        if (process.env.MIGRATE_DEBUG) console.error('migration script failed:', error);
        raw.onError(error);
      }
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(__dirname, '.generated/schema.prisma'),
  migrations: { path: path.join(root, 'prisma/migrations') },
  // A short idle timeout lets the CLI exit as soon as it is done instead of holding the pool open for 10 s.
  adapter: async () => new WholeScriptPg({ connectionString: connectionString(), idleTimeoutMillis: 100, allowExitOnIdle: true }),
});
