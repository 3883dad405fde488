import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, type AppConfig } from '@meridian/config';
import { hashPassword } from '@meridian/crypto';
import { createPrismaClient, Role, type PrismaClient } from '@meridian/db';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';
import { DEMO_PASSWORD, seedDemo } from '@meridian/db/seed';
import { AgentGrpcServer } from '../src/agents/agent-grpc.server';
import { createApp } from '../src/bootstrap';
import { spawnNode, type Spawned } from './processes';

/**
 * A real control plane on a fresh, migrated PostgreSQL database and a private Redis key prefix,
 * listening on a loopback port. Two tenants: A is the seeded "Demo Vendor"; B is a look-alike
 * ("Other Vendor") with its own organisation, site and one user per role.
 */
export interface Harness {
  baseUrl: string;
  /** host:port of the agent gRPC server. */
  grpcTarget: string;
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  owner: PrismaClient;
  tenants: { a: TenantFixture; b: TenantFixture };
  /** Logs in and returns an access token (cached per user). */
  token(tenant: 'a' | 'b', role: Role): Promise<string>;
  close(): Promise<void>;
}

export interface TenantFixture {
  id: string;
  /** Site ids by country (A: ID and CL; B: DE). */
  siteIds: Record<string, string>;
  orgIds: string[];
  emails: Partial<Record<Role, string>>;
}

export function testConfig(db: TestDatabase, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    DATABASE_URL: db.ownerUrl,
    APP_DATABASE_URL: db.appUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `meridian-test-${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    ...overrides,
  });
}

export async function startHarness(label: string, overrides: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase(label);
  const owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
  const seeded = await seedDemo(owner);
  const demoOrgs = await owner.integratorOrganization.findMany({ where: { tenantId: seeded.tenantId }, orderBy: { name: 'asc' } });
  const demoUsers = await owner.membership.findMany({ where: { tenantId: seeded.tenantId }, include: { user: true } });
  const a: TenantFixture = {
    id: seeded.tenantId,
    siteIds: seeded.siteIds,
    orgIds: demoOrgs.map((o) => o.id),
    emails: Object.fromEntries(demoUsers.map((m) => [m.role, m.user.email])),
  };
  a.emails.platform_admin = 'platform@meridian.example';
  const b = await seedOtherTenant(owner);

  const config = testConfig(db, overrides);
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const grpcTarget = `127.0.0.1:${app.get(AgentGrpcServer).port}`;

  const tokens = new Map<string, string>();
  const harness: Harness = {
    baseUrl,
    grpcTarget,
    app,
    config,
    db,
    owner,
    tenants: { a, b },
    async token(tenant, role) {
      const key = `${tenant}:${role}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const fixture = harness.tenants[tenant];
      const email = fixture.emails[role];
      if (!email) throw new Error(`no ${role} user in tenant ${tenant}`);
      const response = await fetch(`${baseUrl}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: DEMO_PASSWORD, tenantId: fixture.id }),
      });
      if (response.status !== 200) throw new Error(`login as ${email} failed: ${response.status} ${await response.text()}`);
      const session = (await response.json()) as { accessToken: string };
      tokens.set(key, session.accessToken);
      return session.accessToken;
    },
    async close() {
      await app.close();
      await owner.$disconnect();
      await db.drop();
    },
  };
  return harness;
}

async function seedOtherTenant(owner: PrismaClient): Promise<TenantFixture> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const tenant = await owner.tenant.create({ data: { slug: 'other-vendor', name: 'Other Vendor' } });
  const org = await owner.integratorOrganization.create({ data: { tenantId: tenant.id, name: 'Rhein Integration' } });
  const site = await owner.site.create({ data: { tenantId: tenant.id, name: 'Duisburg Plant', country: 'DE', integratorOrgId: org.id } });
  const emails: Partial<Record<Role, string>> = {};
  for (const role of [Role.vendor_admin, Role.vendor_engineer, Role.integrator_admin, Role.integrator_viewer, Role.auditor]) {
    const email = `${role.replace('_', '.')}@other-vendor.example`;
    const user = await owner.user.create({ data: { email, displayName: `Other ${role}`, passwordHash } });
    const integrator = role === Role.integrator_admin || role === Role.integrator_viewer;
    await owner.membership.create({ data: { tenantId: tenant.id, userId: user.id, role, integratorOrgId: integrator ? org.id : null } });
    emails[role] = email;
  }
  return { id: tenant.id, siteIds: { DE: site.id }, orgIds: [org.id], emails };
}

/** fetch with a bearer token and JSON body; returns status, parsed body and content type. */
export async function call(
  harness: Harness,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<{ status: number; body: any; contentType: string }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${harness.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (metrics, HTML docs)
  }
  return { status: response.status, body: parsed, contentType: response.headers.get('content-type') ?? '' };
}

/** A worker process on the harness's database and Redis prefix, once it says it is ready; `env` adds or overrides settings. */
export async function startWorker(h: Harness, env: Record<string, string> = {}): Promise<Spawned> {
  const worker = spawnNode('apps/worker/dist/main.js', {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: h.db.ownerUrl,
    APP_DATABASE_URL: h.db.appUrl,
    REDIS_URL: h.config.redis.url,
    QUEUE_PREFIX: h.config.redis.queuePrefix,
    ...env,
  });
  await worker.waitFor(/worker ready/);
  return worker;
}
