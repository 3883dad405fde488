import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { statementNamer } from './statement-names';
import { TenantPool } from './tenant-pool';

export interface DbClientOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

const pools = new WeakMap<PrismaClient, TenantPool>();

export function createPrismaClient(options: DbClientOptions): PrismaClient {
  const pool = new TenantPool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'meridian',
    connectionTimeoutMillis: 5_000,
  });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true, statementNameGenerator: statementNamer() }) });
  pools.set(client, pool);
  return client;
}

/** The pool under a client made by createPrismaClient (none for a client made otherwise). */
export function poolOf(client: PrismaClient): TenantPool | undefined {
  return pools.get(client);
}
