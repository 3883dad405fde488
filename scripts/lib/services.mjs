// Local PostgreSQL and Redis for the quick start and the test run: reachable, or started when they
// are the machine's own (localhost, default port). Failures throw ServiceError, whose message is
// meant to be printed as is (see runOrExplain).
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/meridian';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A problem with the machine's services, explained for a person; printed without a stack trace. */
export class ServiceError extends Error {
  name = 'ServiceError';
}

/** Runs fn; a ServiceError is printed as a clear message and ends the process with exit code 1. */
export async function runOrExplain(fn) {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    console.error(`\n✖ ${error.message}`);
    process.exit(1);
  }
}

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

function isLocal(hostname) {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '::1' || hostname === '[::1]';
}

function hostAndPort(url, defaultPort) {
  const parsed = new URL(url);
  return { hostname: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

export async function ensurePostgres(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL) {
  const { hostname, port } = hostAndPort(url, 5432);
  if (await reachable(hostname, port)) return;
  if (!isLocal(hostname) || port !== 5432) {
    throw new ServiceError(`PostgreSQL at ${hostname}:${port} is not reachable. Start it, or point DATABASE_URL at a running server.`);
  }
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort() : [];
  if (versions.length === 0) {
    throw new ServiceError(
      'PostgreSQL is not running on 127.0.0.1:5432 and no local cluster was found in /etc/postgresql.\n' +
        '  Install it (apt-get install postgresql) or set DATABASE_URL to a reachable server.',
    );
  }
  const command = `pg_ctlcluster --skip-systemctl-redirect ${versions[versions.length - 1]} main start`;
  console.log(`PostgreSQL is not running; starting the local cluster: ${command}`);
  try {
    execSync(command, { stdio: 'inherit' });
  } catch {
    throw new ServiceError(`could not start PostgreSQL (\`${command}\` failed; see above). Start it yourself or set DATABASE_URL.`);
  }
  if (!(await waitReachable(hostname, port, 20))) throw new ServiceError(`PostgreSQL was started but 127.0.0.1:${port} did not answer within 20 s`);
}

export async function ensureRedis(url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL) {
  const { hostname, port } = hostAndPort(url, 6379);
  if (await reachable(hostname, port)) return;
  if (!isLocal(hostname)) {
    throw new ServiceError(`Redis at ${hostname}:${port} is not reachable. Start it, or point REDIS_URL at a running server.`);
  }
  const args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
  console.log(`Redis is not running; starting a local one: redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no`);
  try {
    execFileSync('redis-server', args, { stdio: 'inherit' });
  } catch (error) {
    const missing = error?.code === 'ENOENT';
    throw new ServiceError(
      missing
        ? 'Redis is not running on 127.0.0.1 and redis-server is not installed (apt-get install redis-server), or set REDIS_URL.'
        : 'could not start redis-server (see above). Start Redis yourself or set REDIS_URL.',
    );
  }
  if (!(await waitReachable(hostname, port, 10))) throw new ServiceError(`redis-server was started but 127.0.0.1:${port} did not answer within 10 s`);
}

/** Creates the database named in the URL when it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL) {
  const { default: pg } = await import('pg');
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new ServiceError(`unexpected database name "${database}" in DATABASE_URL`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new ServiceError(`cannot connect to PostgreSQL as ${decodeURIComponent(target.username) || '(default user)'}@${target.host}/postgres to check for database "${database}": ${error.message}`);
  }
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      console.log(`creating database ${database}`);
      await client.query(`CREATE DATABASE "${database}"`);
    }
  } catch (error) {
    throw new ServiceError(`could not create database "${database}": ${error.message}`);
  } finally {
    await client.end();
  }
}
