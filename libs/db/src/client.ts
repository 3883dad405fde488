import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export interface DbClientOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

export function createPrismaClient(options: DbClientOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'meridian',
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}
