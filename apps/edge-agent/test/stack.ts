import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { ChainRecord } from '@meridian/audit';
import { createPrismaClient, type PrismaClient } from '@meridian/db';
import { DEMO_PASSWORD, seedDemo } from '@meridian/db/seed';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';
import { spawnNode, type Spawned } from '../../control-plane/test/processes';

/**
 * The real stack as processes on loopback for end-to-end tests: a fresh database with the demo
 * tenant, the control plane (and optionally the worker) from dist/, and edge agents.
 */
export interface TestStack {
  db: TestDatabase;
  owner: PrismaClient;
  siteIds: Record<string, string>;
  httpPort: number;
  grpcPort: number;
  controlPlane: Spawned;
  worker: Spawned | undefined;
  /** Another worker process on the same queues. */
  startWorker(): Promise<Spawned>;
  agents: Partial<Record<string, TestAgentProcess>>;
  startControlPlane(): Promise<void>;
  startAgent(country: string, options?: { token?: string; env?: Record<string, string>; name?: string; grpcPort?: number }): Promise<TestAgentProcess>;
  /** Another control-plane process on the same database and Redis (a second replica). */
  startReplica(): Promise<{ process: Spawned; httpPort: number; grpcPort: number }>;
  login(email?: string): Promise<string>;
  api(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface TestAgentProcess {
  process: Spawned;
  port: number;
  nodeId: string;
  local(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export const E2E = { backoffMaxMs: 1_000, heartbeatSeconds: 1 };

export async function startStack(label: string, options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<TestStack> {
  const db = await createTestDatabase(label);
  const owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
  const siteIds = (await seedDemo(owner)).siteIds;
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-e2e-'));
  const [httpPort, grpcPort] = await Promise.all([freePort(), freePort()]);
  const queuePrefix = `meridian-test-${randomBytes(4).toString('hex')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const common = { NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: db.ownerUrl, APP_DATABASE_URL: db.appUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix, ...options.env };
  const workers: Spawned[] = [];
  let adminToken = '';
  const replicas: Spawned[] = [];
  const controlPlaneProcess = async (http: number, grpc: number) => {
    const child = spawnNode('apps/control-plane/dist/main.js', {
      ...common,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(http),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpc),
      AGENT_HEARTBEAT_INTERVAL_SECONDS: String(E2E.heartbeatSeconds),
      JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e',
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => undefined))?.ok === true, 30_000);
    return child;
  };

  const stack: TestStack = {
    db,
    owner,
    siteIds,
    httpPort,
    grpcPort,
    controlPlane: undefined as unknown as Spawned,
    worker: undefined,
    agents: {},
    async startControlPlane() {
      stack.controlPlane = await controlPlaneProcess(httpPort, grpcPort);
    },
    async startWorker() {
      const worker = spawnNode('apps/worker/dist/main.js', common);
      await worker.waitFor(/worker ready/);
      workers.push(worker);
      return worker;
    },
    async startReplica() {
      const [replicaHttp, replicaGrpc] = await Promise.all([freePort(), freePort()]);
      const replica = await controlPlaneProcess(replicaHttp, replicaGrpc);
      replicas.push(replica);
      return { process: replica, httpPort: replicaHttp, grpcPort: replicaGrpc };
    },
    async startAgent(country, agentOptions = {}) {
      const agent = spawnNode('apps/edge-agent/dist/main.js', {
        MERIDIAN_CONTROL_PLANE: `127.0.0.1:${agentOptions.grpcPort ?? grpcPort}`,
        MERIDIAN_ENROLLMENT_TOKEN: agentOptions.token,
        MERIDIAN_DATA_DIR: path.join(dataRoot, agentOptions.name ?? country),
        MERIDIAN_NODE_NAME: agentOptions.name ?? `gw-${country.toLowerCase()}-1`,
        MERIDIAN_NODE_LABELS: `country=${country.toLowerCase()},line=a`,
        MERIDIAN_LOCAL_API_PORT: '0',
        MERIDIAN_BACKOFF_INITIAL_MS: '100',
        MERIDIAN_BACKOFF_MAX_MS: String(E2E.backoffMaxMs),
        LOG_LEVEL: 'info',
        ...agentOptions.env,
      });
      const port = (JSON.parse(await agent.waitFor(/local api listening/)) as { port: number }).port;
      const nodeId = (JSON.parse(await agent.waitFor(/agent started/)) as { nodeId: string }).nodeId;
      const handle: TestAgentProcess = {
        process: agent,
        port,
        nodeId,
        async local(method, route, body) {
          const response = await fetch(`http://127.0.0.1:${port}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
          return { status: response.status, body: await response.json() };
        },
      };
      stack.agents[agentOptions.name ?? country] = handle;
      return handle;
    },
    async login(email = 'vendor.admin@demo-vendor.example') {
      const response = await fetch(`http://127.0.0.1:${httpPort}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: DEMO_PASSWORD }),
      });
      return ((await response.json()) as { accessToken: string }).accessToken;
    },
    async api(method, route, body, token) {
      adminToken ||= await stack.login();
      const response = await fetch(`http://127.0.0.1:${httpPort}${route}`, {
        method,
        headers: { authorization: `Bearer ${token ?? adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    },
    async close() {
      for (const agent of Object.values(stack.agents)) await agent?.process.stop('SIGKILL');
      for (const replica of replicas) await replica.stop('SIGKILL');
      for (const worker of workers) await worker.stop('SIGKILL');
      await stack.worker?.stop('SIGKILL');
      await stack.controlPlane?.stop('SIGKILL');
      await owner.$disconnect();
      await db.drop();
      await fs.rm(dataRoot, { recursive: true, force: true });
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${queuePrefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
  await stack.startControlPlane();
  if (options.worker) stack.worker = await stack.startWorker();
  return stack;
}

/** Enrolls an agent for the demo site of `country` with a fresh single-use token. */
export async function enrollAgent(stack: TestStack, country: string): Promise<TestAgentProcess> {
  const token = await stack.api('POST', '/v1/enrollment-tokens', { siteId: stack.siteIds[country], ttlSeconds: 600 });
  if (token.status !== 201) throw new Error(`token: ${token.status} ${JSON.stringify(token.body)}`);
  return stack.startAgent(country, { token: token.body.token });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A node's stored audit records in chain (seq) order, as verifyChain takes them. */
export async function storedChain(stack: TestStack, nodeId: string): Promise<ChainRecord[]> {
  const rows = await stack.owner.auditEvent.findMany({ where: { sourceId: nodeId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => ({ seq: Number(r.seq), prevHash: r.prevHash, hash: r.hash, body: r.body }));
}

/** The `location` tags of a node's stored policy.decision records: how the tests tell each decision they asked for. */
export async function storedDecisionTags(stack: TestStack, nodeId: string): Promise<string[]> {
  const rows = await stack.owner.auditEvent.findMany({ where: { sourceId: nodeId, type: 'policy.decision' }, select: { body: true } });
  return rows.map((r) => (JSON.parse(r.body) as { data?: { location?: string } }).data?.location).filter((t): t is string => typeof t === 'string');
}

/** Until the agent reports nothing left to upload (its local status): only then is a count of its stored audit final. */
export function waitForAuditUploaded(agent: TestAgentProcess, timeoutMs: number): Promise<void> {
  return waitFor(async () => (await agent.local('GET', '/v1/status')).body.auditPendingEvents === 0, timeoutMs);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}
