import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A fresh PostgreSQL database per test run, migrated with the same `prisma migrate deploy`
 * every environment uses, and dropped afterwards. Tests never share state with each other
 * or with a developer's database.
 */
export interface TestDatabase {
  name: string;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '../../../..');

export function serverUrl(): string {
  return process.env.TEST_DATABASE_SERVER_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function migrate(ownerUrl: string): void {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'tools/prisma-migrate/run.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL: ownerUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** A fresh, migrated database. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const database = await createEmptyDatabase(label);
  migrate(database.ownerUrl);
  return database;
}

export async function createEmptyDatabase(label: string): Promise<TestDatabase> {
  const name = `meridian_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await runSql(serverUrl(), `CREATE DATABASE "${name}"`);
  const ownerUrl = withDatabase(serverUrl(), name);
  const app = new URL(ownerUrl);
  app.username = 'meridian_app';
  app.password = '';
  return {
    name,
    ownerUrl,
    appUrl: app.toString(),
    drop: () => runSql(serverUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

export async function runSql<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(sql);
    return (Array.isArray(result) ? [] : result.rows) as T[];
  } finally {
    await client.end();
  }
}

/** What Prisma's schema decides about a database, in a comparable form (RLS policies and checks are ours). */
export async function describeCatalog(url: string) {
  // Partitions are storage details of their parent table (hand-written SQL), not part of Prisma's schema.
  const app = "NOT IN ('_prisma_migrations') AND NOT EXISTS (SELECT 1 FROM pg_class pc WHERE pc.relname = %T% AND pc.relispartition)";
  const [columns, indexes, foreignKeys, enums] = await Promise.all([
    runSql(url, `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name ${app.replace('%T%', 'table_name')} ORDER BY 1, 2`),
    runSql(url, `SELECT tablename, indexname, regexp_replace(indexdef, ' ON (ONLY )?', ' ON ') AS indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename ${app.replace('%T%', 'tablename')} AND indexname NOT LIKE '%_manual' ORDER BY 1, 2`),
    runSql(url, `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                 WHERE contype IN ('f', 'p', 'u') AND connamespace = 'public'::regnamespace AND conrelid::regclass::text ${app.replace('%T%', 'conrelid::regclass::text')} ORDER BY 1, 2`),
    runSql(url, `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels FROM pg_type t
                 JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY 1`),
  ]);
  return { columns, indexes, foreignKeys, enums };
}
