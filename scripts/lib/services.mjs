// Local PostgreSQL and Redis for the quick start and the test run: reachable, or started when they
// are the machine's own (no DATABASE_URL/REDIS_URL pointing elsewhere).
import { execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/meridian';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitReachable(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i += 1) {
    if (await reachable(host, port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function isLocal(url) {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '::1';
}

export async function ensurePostgres(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL) {
  const { hostname, port } = new URL(url);
  const p = Number(port || 5432);
  if (await reachable(hostname, p)) return;
  if (!isLocal(url)) throw new Error(`PostgreSQL at ${hostname}:${p} (DATABASE_URL) is not reachable`);
  console.log('PostgreSQL is not running; starting the local cluster');
  const versions = readdirSync('/etc/postgresql');
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main start`, { stdio: 'inherit' });
  if (!(await waitReachable(hostname, p, 20))) throw new Error('PostgreSQL did not come up');
}

export async function ensureRedis(url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL) {
  const { hostname, port } = new URL(url);
  const p = Number(port || 6379);
  if (await reachable(hostname, p)) return;
  if (!isLocal(url)) throw new Error(`Redis at ${hostname}:${p} (REDIS_URL) is not reachable`);
  console.log('Redis is not running; starting a local one');
  execSync(`redis-server --daemonize yes --bind 127.0.0.1 --port ${p} --save "" --appendonly no`, { stdio: 'inherit' });
  if (!(await waitReachable(hostname, p, 10))) throw new Error('Redis did not come up');
}

/** Creates the database named in the URL when it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL) {
  const { default: pg } = await import('pg');
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new Error(`unexpected database name "${database}" in DATABASE_URL`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      console.log(`creating database ${database}`);
      await client.query(`CREATE DATABASE "${database}"`);
    }
  } finally {
    await client.end();
  }
}
