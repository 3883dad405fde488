// The processes a benchmark measures, started from the built dist/ on random loopback ports with a
// database and a Redis key prefix of their own, and removed afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { cpuSecondsOf, descriptorsNeeded, fail, freePort, hardNofile, repoRoot, spawnNode, waitFor } from './common.mjs';

const require = createRequire(import.meta.url);
const { createTestDatabase } = require('@meridian/db/testing');
const { seedDemo, DEMO_PASSWORD } = require('@meridian/db/seed');
const { createPrismaClient } = require('@meridian/db');

export function assertBuilt() {
  for (const entry of ['apps/control-plane/dist/main.js', 'apps/worker/dist/main.js', 'libs/db/dist/index.js']) {
    if (!existsSync(path.join(repoRoot, entry))) fail(`${entry} is missing: run \`npx tsc -b\` first`);
  }
}

/**
 * @param {object} options
 * @param {string} options.label database label
 * @param {boolean} [options.worker] start the worker too
 * @param {number} [options.streams] streams the control plane must hold (raises its open-files limit)
 * @param {boolean} [options.cpuProfile] run the control plane under --cpu-prof (written when it stops)
 * @param {Record<string,string>} [options.env] extra control-plane/worker environment
 * @param {number} [options.replicas] control-plane processes sharing the database and Redis, as replicas behind a load balancer (default 1)
 */
export async function startStack({ label, worker = false, streams = 0, cpuProfile = false, env = {}, replicas = 1 }) {
  assertBuilt();
  const db = await createTestDatabase(`bench_${label}`);
  const owner = createPrismaClient({ url: db.ownerUrl, poolSize: 4 });
  const { tenantId, siteIds } = await seedDemo(owner);
  const [httpPort, grpcPort] = await Promise.all([freePort(), freePort()]);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queuePrefix = `meridian-bench-${randomBytes(4).toString('hex')}`;
  const profileDir = cpuProfile ? mkdtempSync(path.join(os.tmpdir(), 'meridian-cpuprof-')) : undefined;
  const artifactDir = mkdtempSync(path.join(os.tmpdir(), 'meridian-bench-artifacts-'));
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATABASE_URL: db.ownerUrl,
    APP_DATABASE_URL: db.appUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    ARTIFACT_DIR: artifactDir,
    ...env,
  };
  const needed = descriptorsNeeded(streams);
  const hard = hardNofile();
  if (needed > hard) console.log(`note: ${streams} streams need ~${needed} open files but the hard limit is ${hard}; raise it (ulimit -Hn) or expect EMFILE`);
  const controlPlane = spawnNode(
    'apps/control-plane/dist/main.js',
    { ...common, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort) },
    { nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [], label: 'control-plane' },
  );
  /** Further replicas: same database, Redis and queues, ports of their own. */
  const others = [];
  const cleanup = async () => {
    await controlPlane.stop('SIGKILL');
    for (const replica of others) await replica.process.stop('SIGKILL');
    await workerProcess?.stop('SIGKILL');
    await owner.$disconnect().catch(() => undefined);
    await db.drop().catch(() => undefined);
    rmSync(artifactDir, { recursive: true, force: true });
    const redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect().catch(() => undefined);
    if (redis.status === 'ready') {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    }
  };
  let workerProcess;
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.ok === true, 60_000, 'control plane ready');
    for (let r = 1; r < replicas; r += 1) {
      const [replicaHttp, replicaGrpc] = await Promise.all([freePort(), freePort()]);
      const process = spawnNode('apps/control-plane/dist/main.js', { ...common, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(replicaHttp), GRPC_HOST: '127.0.0.1', GRPC_PORT: String(replicaGrpc) }, { label: `control-plane-${r + 1}` });
      others.push({ process, grpcTarget: `127.0.0.1:${replicaGrpc}` });
      await waitFor(async () => (await fetch(`http://127.0.0.1:${replicaHttp}/readyz`).catch(() => undefined))?.ok === true, 60_000, `control plane replica ${r + 1} ready`);
    }
    if (worker) {
      // info: the worker says "worker ready" at that level
      workerProcess = spawnNode('apps/worker/dist/main.js', { ...common, LOG_LEVEL: 'info' }, { label: 'worker' });
      await workerProcess.waitFor(/worker ready/, 60_000);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  let adminToken;
  const backendSeconds = new Map();
  const stack = {
    db,
    owner,
    tenantId,
    siteIds,
    httpPort,
    grpcPort,
    grpcTarget: `127.0.0.1:${grpcPort}`,
    /** Every replica's gRPC address, the first one's first. */
    grpcTargets: [`127.0.0.1:${grpcPort}`, ...others.map((replica) => replica.grpcTarget)],
    /** Every control-plane process (the first is `controlPlane`). */
    controlPlanes: [controlPlane, ...others.map((replica) => replica.process)],
    redisUrl,
    queuePrefix,
    baseUrl: `http://127.0.0.1:${httpPort}`,
    controlPlane,
    get worker() {
      return workerProcess;
    },
    async login(email = 'vendor.admin@demo-vendor.example') {
      const response = await fetch(`${stack.baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
      if (!response.ok) throw new Error(`login failed: ${response.status}`);
      return (await response.json()).accessToken;
    },
    async api(method, route, body) {
      adminToken ??= await stack.login();
      const response = await fetch(`${stack.baseUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => undefined) };
    },
    /** Stops the control plane gracefully so that --cpu-prof writes its profile; returns the profile path. */
    async stopForProfile() {
      await controlPlane.stop('SIGTERM', 30_000);
      if (!profileDir) return undefined;
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      return file ? path.join(profileDir, file) : undefined;
    },
    /**
     * Stops the control plane and prints where its CPU went (for --cpu-prof runs): over the whole run,
     * and over each named window ({ from, to } in microseconds of the monotonic clock, see
     * monotonicMicros) when given, e.g. a publish alone rather than the opening of every stream.
     */
    async printProfile(windows = {}) {
      const profile = await stack.stopForProfile();
      if (!profile) return;
      console.log(`control-plane CPU profile: ${profile}`);
      for (const f of await topFunctions(profile)) console.log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
      for (const [name, window] of Object.entries(windows)) {
        console.log(`control-plane CPU profile, ${name} only:`);
        for (const f of await topFunctions(profile, 12, window)) console.log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
      }
    },
    /**
     * CPU seconds used so far by the PostgreSQL backends of this database (PostgreSQL shares the
     * machine, so its work counts as much as the control plane's). Backends are remembered as seen at
     * each call, so one that ends between two calls still counts what it had used when last seen.
     */
    async databaseCpuSeconds() {
      const rows = await owner.$queryRaw`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
      for (const { pid: backend } of rows) {
        try {
          backendSeconds.set(backend, cpuSecondsOf(backend));
        } catch {
          // gone since the query
        }
      }
      return [...backendSeconds.values()].reduce((sum, seconds) => sum + seconds, 0);
    },
    async metric(name, labels = '') {
      const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
      const escaped = `${name}${labels}`.replace(/[{}"=.]/g, (c) => `\\${c}`);
      const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
      return match ? Number(match[1]) : 0;
    },
    async close() {
      await cleanup();
      if (profileDir && !process.env.BENCH_KEEP_PROFILE) rmSync(profileDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Now, in microseconds of the clock V8's profiler stamps samples with (CLOCK_MONOTONIC on Linux, shared by every process). */
export function monotonicMicros() {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Self time by function of a V8 .cpuprofile: where the process spent its CPU, within `window` ({ from, to }, monotonic µs) when given. */
export async function topFunctions(profilePath, limit = 12, window = undefined) {
  const { readFileSync } = await import('node:fs');
  const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += deltas[i] ?? 0;
    if (window && (at < window.from || at > window.to)) continue;
    const node = byId.get(profile.samples[i]);
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url ? path.relative(repoRoot, frame.url.replace('file://', '')) : ''}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, micros]) => ({ name, percent: +((100 * micros) / total).toFixed(1) }));
}
