#!/usr/bin/env node
// Runs Prisma 6's CLI (migrate deploy / status / diff) against prisma/schema.prisma and prisma/migrations.
// Usage: node tools/prisma-migrate/run.mjs deploy|status|diff-from-empty|diff-from-schema <old.prisma>
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const defaultUrl = 'postgresql://postgres@127.0.0.1:5432/meridian';

function addUrl(schema) {
  return schema.replace(/datasource db \{\n  provider = "postgresql"\n\}/, 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}');
}
const schema = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');
const withUrl = addUrl(schema);
if (withUrl === schema) {
  console.error('prisma-migrate: could not find the datasource block in prisma/schema.prisma');
  process.exit(2);
}
mkdirSync(path.join(here, '.generated'), { recursive: true });
writeFileSync(path.join(here, '.generated/schema.prisma'), withUrl);

const commands = {
  deploy: ['migrate', 'deploy'],
  status: ['migrate', 'status'],
  // Writes the SQL that turns an empty database into the schema, for authoring a first migration.
  'diff-from-empty': ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', path.join(here, '.generated/schema.prisma'), '--script'],
  // Writes the SQL that turns the schema in another file (e.g. `git show HEAD:prisma/schema.prisma > /tmp/old.prisma`)
  // into the current one: how the next migration is authored. (--from-migrations needs a shadow
  // database, which Prisma 6's WASM engine cannot drive through the adapter.)
  'diff-from-schema': ['migrate', 'diff', '--to-schema-datamodel', path.join(here, '.generated/schema.prisma'), '--script', '--from-schema-datamodel'],
};
let [command, ...rest] = process.argv.slice(2);
if (command === 'diff-from-schema') {
  const old = rest.shift();
  if (!old) {
    console.error('usage: run.mjs diff-from-schema <old schema.prisma>');
    process.exit(2);
  }
  writeFileSync(path.join(here, '.generated/old.prisma'), addUrl(readFileSync(path.resolve(old), 'utf8')));
  rest = [path.join(here, '.generated/old.prisma'), ...rest];
}
if (!commands[command]) {
  console.error(`usage: run.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
const prismaBin = path.join(here, 'node_modules/prisma/build/index.js');
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? defaultUrl,
  // Prisma 6 checks for a native query engine it never uses with engine "js"; any existing file stops the download.
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? '/bin/true',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1', // no telemetry calls from an offline machine
};
const result = spawnSync(process.execPath, [prismaBin, ...commands[command], ...rest], { cwd: here, stdio: ['inherit', 'pipe', 'inherit'], env, maxBuffer: 64 * 1024 * 1024 });
process.stdout.write(withoutUrlWarning(result.stdout?.toString() ?? ''));
if (result.status !== 0) process.exit(result.status ?? 1);
if (command === 'deploy') await setAppRolePassword();

/**
 * Prisma 6 warns, on every run, that the datasource url is not used because a driver adapter is:
 * true, and the very reason the url is there (addUrl above: its validator requires one). Dropped so
 * that `npm start` and deploy logs do not tell operators to remove it.
 */
function withoutUrlWarning(output) {
  return output.replace(/WARNING: Your schema specifies the following datasource properties but you are using a Driver Adapter[\s\S]*?We recommend you to remove those properties from your schema[^\n]*\n\n?/, '');
}

// The migration creates the RLS-bound role without a password (enough for local trust auth). Where the
// app logs in with a password, APP_DATABASE_URL carries it and the owner sets it here.
async function setAppRolePassword() {
  if (!process.env.APP_DATABASE_URL) return;
  const app = new URL(process.env.APP_DATABASE_URL);
  if (!app.password) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const role = decodeURIComponent(app.username);
    const password = decodeURIComponent(app.password);
    const literal = (await client.query('SELECT quote_ident($1) AS role, quote_literal($2) AS password', [role, password])).rows[0];
    await client.query(`ALTER ROLE ${literal.role} WITH LOGIN PASSWORD ${literal.password}`);
    console.log(`password set for database role ${role}`);
  } finally {
    await client.end();
  }
}
