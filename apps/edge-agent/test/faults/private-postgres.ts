import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, waitFor } from '../stack';

/**
 * A PostgreSQL cluster of the fault tests' own (initdb in a temporary directory, a random loopback
 * port) — never the machine's shared server, which other test files use — that they can crash and
 * start again. The server binaries are the machine's (Debian's /usr/lib/postgresql/<major>/bin).
 * PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` account.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-pg-'));
    const dataDir = path.join(root, 'data');
    asClusterOwner(root);
    const init = run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${init.stderr}`);
    const server = new PrivatePostgres(await freePort(), dataDir, bin);
    await server.start();
    return server;
  }

  /** As TEST_DATABASE_SERVER_URL expects it: the server, database `postgres`. */
  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-h 127.0.0.1',
      `-k ${this.dataDir}`,
      '-c max_connections=100',
      // A crash here is of the server process, not of the machine: what was written reaches the kernel
      // and survives it, so skipping fsync loses nothing and keeps the tests quick. Commits still wait
      // for their WAL write (synchronous_commit on): a commit the server confirmed is never lost.
      '-c fsync=off',
      '-c full_page_writes=off',
    ].join(' ');
    const started = run(path.join(this.bin, 'pg_ctl'), ['start', '-D', this.dataDir, '-l', path.join(this.dataDir, 'server.log'), '-o', options, '-w', '-t', '30']);
    if (started.status !== 0) throw new Error(`pg_ctl start failed (exit ${started.status}): ${started.stdout}${started.stderr}`);
    await waitFor(async () => {
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.query('SELECT 1 AS one')).rows[0]?.one === 1;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    }, 30_000, 200);
  }

  /**
   * A crash, as a power loss or an OOM kill of the server looks to its clients: every connection
   * drops at once (immediate shutdown: no checkpoint, crash recovery on the next start).
   */
  async crash(): Promise<void> {
    const stopped = run(path.join(this.bin, 'pg_ctl'), ['stop', '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30']);
    if (stopped.status !== 0 && !/Is server running\?/.test(stopped.stderr)) throw new Error(`pg_ctl stop failed (exit ${stopped.status}): ${stopped.stderr}`);
  }

  async stop(): Promise<void> {
    await this.crash();
    await fs.rm(path.dirname(this.dataDir), { recursive: true, force: true });
  }
}

function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) if (existsSync(path.join(base, major, 'bin', 'postgres'))) return path.join(base, major, 'bin');
  throw new Error(`no PostgreSQL server binaries under ${base}/<major>/bin`);
}

const isRoot = () => process.getuid?.() === 0;

function asClusterOwner(dir: string): void {
  if (!isRoot()) return;
  const chown = spawnSync('chown', ['-R', 'postgres:postgres', dir], { encoding: 'utf8' });
  if (chown.status !== 0) throw new Error(`chown of ${dir} to postgres failed: ${chown.stderr}`);
}

function ownerCommand(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[]) {
  const [cmd, argv] = ownerCommand(command, args);
  return spawnSync(cmd, argv, { encoding: 'utf8' });
}
