import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '@meridian/db';
import { DEMO_PASSWORD, seedDemo } from '@meridian/db/seed';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';
import { spawnNode, type Spawned } from '../../control-plane/test/processes';

/**
 * A real control plane process and two real agent processes (Indonesia and Chile) on loopback:
 * enrollment, heartbeats seen through REST, the control plane killed and restarted under running
 * agents, and revocation cutting a live stream.
 */
const BACKOFF_MAX_MS = 1_000;
const HEARTBEAT_SECONDS = 1;

describe('edge agents against a real control plane', () => {
  let db: TestDatabase;
  let owner: PrismaClient;
  let dataRoot: string;
  let httpPort: number;
  let grpcPort: number;
  let controlPlane: Spawned;
  const queuePrefix = `meridian-test-${randomBytes(4).toString('hex')}`;
  const agents: Record<'ID' | 'CL', { process: Spawned; port: number; nodeId?: string }> = {} as never;
  let adminToken = '';
  let siteIds: Record<string, string> = {};

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${httpPort}${route}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };
  const agentStatus = async (country: 'ID' | 'CL') => (await (await fetch(`http://127.0.0.1:${agents[country].port}/v1/status`)).json()) as any;

  const startControlPlane = async () => {
    controlPlane = spawnNode('apps/control-plane/dist/main.js', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.ownerUrl,
      APP_DATABASE_URL: db.appUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: queuePrefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      AGENT_HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_SECONDS),
      JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e',
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.ok === true, 30_000);
  };

  const startAgent = async (country: 'ID' | 'CL', token?: string) => {
    const agent = spawnNode('apps/edge-agent/dist/main.js', {
      MERIDIAN_CONTROL_PLANE: `127.0.0.1:${grpcPort}`,
      MERIDIAN_ENROLLMENT_TOKEN: token,
      MERIDIAN_DATA_DIR: path.join(dataRoot, country),
      MERIDIAN_NODE_NAME: `gw-${country.toLowerCase()}-1`,
      MERIDIAN_NODE_LABELS: `country=${country.toLowerCase()},line=a`,
      MERIDIAN_LOCAL_API_PORT: '0',
      MERIDIAN_BACKOFF_INITIAL_MS: '100',
      MERIDIAN_BACKOFF_MAX_MS: String(BACKOFF_MAX_MS),
      LOG_LEVEL: 'info',
    });
    const listening = await agent.waitFor(/local api listening/);
    agents[country] = { process: agent, port: (JSON.parse(listening) as { port: number }).port };
    const started = await agent.waitFor(/agent started/);
    agents[country].nodeId = (JSON.parse(started) as { nodeId: string }).nodeId;
  };

  beforeAll(async () => {
    db = await createTestDatabase('agent_e2e');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
    siteIds = (await seedDemo(owner)).siteIds;
    dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-agents-'));
    [httpPort, grpcPort] = await Promise.all([freePort(), freePort()]);
    await startControlPlane();
    const login = await fetch(`http://127.0.0.1:${httpPort}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'vendor.admin@demo-vendor.example', password: DEMO_PASSWORD }),
    });
    adminToken = ((await login.json()) as { accessToken: string }).accessToken;
  }, 120_000);

  afterAll(async () => {
    for (const agent of Object.values(agents)) await agent.process.stop('SIGKILL');
    await controlPlane?.stop('SIGKILL');
    await owner?.$disconnect();
    await db?.drop();
    await fs.rm(dataRoot, { recursive: true, force: true });
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('enrolls two agents with single-use tokens and shows their heartbeats through REST', async () => {
    for (const country of ['ID', 'CL'] as const) {
      const token = await api('POST', '/v1/enrollment-tokens', { siteId: siteIds[country], ttlSeconds: 600 });
      expect(token.status).toBe(201);
      await startAgent(country, token.body.token);
    }
    // the private key stays on the node, readable by its user only
    const keyStat = await fs.stat(path.join(dataRoot, 'ID', 'node-key.pem'));
    expect(keyStat.mode & 0o777).toBe(0o600);

    await waitFor(async () => {
      const nodes = await api('GET', '/v1/nodes?status=online');
      return nodes.body.items.length === 2;
    }, 10_000);
    const nodes = (await api('GET', '/v1/nodes')).body.items as any[];
    expect(nodes.map((n) => n.name).sort()).toEqual(['gw-cl-1', 'gw-id-1']);
    for (const node of nodes) {
      expect(node).toMatchObject({ status: 'online', agentVersion: '0.1.0', reported: { policyVersion: 0 } });
      expect(Date.now() - new Date(node.lastSeenAt).getTime()).toBeLessThan(5_000);
    }
    const byCountry = Object.fromEntries(await Promise.all((['ID', 'CL'] as const).map(async (c) => [c, await agentStatus(c)])));
    expect(byCountry.ID).toMatchObject({ enrolled: true, connected: true, siteCountry: 'ID' });
    expect(byCountry.CL).toMatchObject({ enrolled: true, connected: true, siteCountry: 'CL' });
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/meridian_agents_connected 2/);
  });

  it('keeps agents serving locally while the control plane is down, and they reconnect by themselves', async () => {
    await controlPlane.stop('SIGKILL');
    await waitFor(async () => !(await agentStatus('ID')).connected && !(await agentStatus('CL')).connected, 10_000);
    // still answering, still enrolled, several heartbeat intervals later
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_SECONDS * 1000));
    for (const country of ['ID', 'CL'] as const) {
      const status = await agentStatus(country);
      expect(status).toMatchObject({ enrolled: true, connected: false, siteCountry: country });
      expect(status.lastError).toMatch(/UNAVAILABLE|ECONNREFUSED|No connection/);
      expect(agents[country].process.child.exitCode).toBeNull();
    }

    const restartedAt = Date.now();
    await startControlPlane();
    const readyAfter = Date.now() - restartedAt;
    await waitFor(async () => (await agentStatus('ID')).connected && (await agentStatus('CL')).connected, 15_000);
    const since = new Date(restartedAt);
    await waitFor(async () => (await owner.edgeNode.count({ where: { lastSeenAt: { gt: since } } })) === 2, 15_000);
    const reconnectedAfter = Date.now() - restartedAt;
    console.log(`control plane ready ${readyAfter} ms after restart; both agents heartbeating again after ${reconnectedAfter} ms (backoff max ${BACKOFF_MAX_MS} ms, heartbeat ${HEARTBEAT_SECONDS} s)`);
    // bound: ready time + one full backoff ceiling + one heartbeat interval + slack for the first call
    expect(reconnectedAfter - readyAfter).toBeLessThan(BACKOFF_MAX_MS + HEARTBEAT_SECONDS * 1000 + 2_000);
  });

  it('cuts a revoked agent off within 5 seconds, while the other keeps working', async () => {
    const nodeId = agents.CL.nodeId!;
    const revokedAt = Date.now();
    const revoke = await api('POST', `/v1/nodes/${nodeId}/revoke`);
    expect(revoke.status).toBe(200);
    const line = await agents.CL.process.waitFor(/control plane refused this node.*PERMISSION_DENIED|PERMISSION_DENIED.*control plane refused this node/, 5_000);
    const cutAfter = Date.now() - revokedAt;
    console.log(`revoked agent refused after ${cutAfter} ms: ${line.slice(0, 160)}`);
    expect(cutAfter).toBeLessThan(5_000);
    expect((await agentStatus('CL')).connected).toBe(false);
    // it keeps serving its local API
    expect((await fetch(`http://127.0.0.1:${agents.CL.port}/healthz`)).status).toBe(200);
    const before = (await owner.edgeNode.findUniqueOrThrow({ where: { id: agents.ID.nodeId! } })).lastSeenAt!;
    await waitFor(async () => (await owner.edgeNode.findUniqueOrThrow({ where: { id: agents.ID.nodeId! } })).lastSeenAt! > before, 5_000);
  });

  it('restarts from its data directory without enrolling again, and stops cleanly', async () => {
    expect(await agents.ID.process.stop('SIGTERM')).toBe(0);
    await startAgent('ID'); // no token this time
    expect(agents.ID.nodeId).toBeDefined();
    expect(await owner.edgeNode.count()).toBe(2);
    expect(await agents.ID.process.stop('SIGTERM')).toBe(0);
    expect(await agents.CL.process.stop('SIGTERM')).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}
