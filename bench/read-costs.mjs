#!/usr/bin/env node
// What the data-access layer costs per tenant-scoped read, in this process, without HTTP: the
// transaction that sets the tenant (row-level security), the node page and single-node queries the
// REST API runs through Prisma, and the same statements through plain `pg` on the same connection
// settings. CPU per operation (this process only: PostgreSQL's share is in rest-reads.mjs) at a fixed
// concurrency, each variant after a warm-up round, on a database of its own.
//   node bench/read-costs.mjs [--ops 1500] [--concurrency 8] [--nodes 2000] [--quick]
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { figure, parseArgs, printMachine } from './lib/common.mjs';
import { assertBuilt } from './lib/stack.mjs';

const require = createRequire(import.meta.url);
const { createPrismaClient, withTenant } = require('@meridian/db');
const { createTestDatabase } = require('@meridian/db/testing');
const { seedDemo } = require('@meridian/db/seed');
const pg = require('pg');

const args = parseArgs({ ops: 1500, concurrency: 8, nodes: 2000 }, 'usage: node bench/read-costs.mjs [--ops N] [--concurrency N] [--nodes N] [--quick]');
if (args.quick) Object.assign(args, { ops: 100, nodes: 100 });

// The columns the API's node view selects (apps/control-plane/src/fleet/nodes.service.ts).
const VIEW_COLUMNS = { id: true, siteId: true, name: true, labels: true, status: true, reported: true, agentVersion: true, lastSeenAt: true, enrolledAt: true, revokedAt: true, createdAt: true, updatedAt: true };
const VIEW_SQL = 'id, site_id, name, labels, status, reported, agent_version, last_seen_at, enrolled_at, revoked_at, created_at, updated_at';
const PAGE = 51; // a page of 50 and one more to know whether there is a next page

assertBuilt();
printMachine();
const db = await createTestDatabase('bench_read_costs');
const owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
const app = createPrismaClient({ url: db.appUrl, poolSize: args.concurrency });
const plain = new pg.Pool({ connectionString: db.appUrl, max: args.concurrency });
try {
  const { tenantId, siteIds } = await seedDemo(owner);
  const sites = Object.values(siteIds);
  const nodes = Array.from({ length: args.nodes }, (_, i) => ({ id: randomUUID(), tenantId, siteId: sites[i % sites.length], name: `read-${i}`, labels: { line: 'bench' }, reported: { policyVersion: 3, models: [] }, status: 'online', agentVersion: 'bench', enrolledAt: new Date(), lastSeenAt: new Date() }));
  for (let i = 0; i < nodes.length; i += 1000) await owner.edgeNode.createMany({ data: nodes.slice(i, i + 1000) });
  // Half the nodes have uploaded audit, as in a fleet where some never have.
  await owner.auditSource.createMany({ data: nodes.filter((_, i) => i % 2 === 0).map((n) => ({ tenantId, sourceId: n.id, lastSeq: 42n })) });
  const scope = { tenantId };
  const one = nodes[7].id;
  const pageQuery = (select) => ({ where: { site: {} }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: PAGE, select });
  // As the API reads chains: the ids as one array parameter.
  const chains = (tx, ids) => tx.$queryRaw`SELECT source_id AS "sourceId", last_seq AS "lastSeq", broken_at AS "brokenAt", broken_reason AS "brokenReason" FROM audit_sources WHERE source_id = ANY(${ids}::text[])`;
  // As it did before: Prisma's `in` list.
  const chainsByInList = (tx, ids) => tx.auditSource.findMany({ where: { sourceId: { in: ids } }, select: { sourceId: true, lastSeq: true, brokenAt: true, brokenReason: true } });
  // The same round trips as withTenant (BEGIN with the tenant's set_config, the statements, COMMIT), named statements as the app's pool uses.
  const plainRead = async (work) => {
    const client = await plain.connect();
    try {
      await client.query(`BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', '', true)`);
      await work(client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };

  const variants = [
    ['transaction that sets the tenant, one trivial statement (Prisma)', () => withTenant(app, scope, (tx) => tx.$queryRaw`SELECT 1`)],
    ['node page, ids only (Prisma)', () => withTenant(app, scope, (tx) => tx.edgeNode.findMany(pageQuery({ id: true })))],
    ['node page, view columns (Prisma)', () => withTenant(app, scope, (tx) => tx.edgeNode.findMany(pageQuery(VIEW_COLUMNS)))],
    [
      'node page + audit chains, as GET /v1/nodes (Prisma)',
      () =>
        withTenant(app, scope, async (tx) => {
          const rows = await tx.edgeNode.findMany(pageQuery(VIEW_COLUMNS));
          return chains(tx, rows.map((r) => r.id));
        }),
    ],
    [
      'node page + audit chains by an `in` list, as GET /v1/nodes did before (Prisma)',
      () =>
        withTenant(app, scope, async (tx) => {
          const rows = await tx.edgeNode.findMany(pageQuery(VIEW_COLUMNS));
          return chainsByInList(tx, rows.map((r) => r.id));
        }),
    ],
    [
      'one node + its chain, as GET /v1/nodes/:id (Prisma)',
      () =>
        withTenant(app, scope, async (tx) => {
          const node = await tx.edgeNode.findFirst({ where: { id: one, site: {} }, select: VIEW_COLUMNS });
          return chains(tx, [node.id]);
        }),
    ],
    [
      'node page + audit chains, same statements through plain pg',
      () =>
        plainRead(async (client) => {
          const page = await client.query({ name: 'bench-page', text: `SELECT ${VIEW_SQL} FROM edge_nodes ORDER BY created_at DESC, id DESC LIMIT ${PAGE}`, values: [] });
          await client.query({ name: 'bench-chains', text: 'SELECT source_id, last_seq, broken_at, broken_reason FROM audit_sources WHERE source_id = ANY($1)', values: [page.rows.map((row) => row.id)] });
        }),
    ],
  ];

  const results = new Map();
  console.log(`read costs: ${args.ops} operations per variant at concurrency ${args.concurrency}, ${args.nodes} nodes in the tenant, pages of ${PAGE} rows; CPU of this process only`);
  for (const [name, run] of variants) {
    let result;
    for (const round of ['warm-up', 'timed']) {
      let issued = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: args.concurrency }, async () => {
          while (issued < args.ops) {
            issued += 1;
            await run();
          }
        }),
      );
      const used = process.cpuUsage(cpu);
      result = { cpuMs: (used.user + used.system) / 1000 / args.ops, perSecond: args.ops / ((performance.now() - started) / 1000) };
      if (round === 'timed') results.set(name, result);
    }
    figure(`CPU per read: ${name}`, result.cpuMs, 'ms', `${Math.round(result.perSecond)} reads/s in this process`);
  }
  const perRow = (results.get('node page, view columns (Prisma)').cpuMs - results.get('node page, ids only (Prisma)').cpuMs) / PAGE;
  figure('Prisma CPU per row of 12 view columns', perRow * 1000, 'us', 'view-columns page minus ids-only page, per row');
  const prisma = results.get('node page + audit chains, as GET /v1/nodes (Prisma)').cpuMs;
  const direct = results.get('node page + audit chains, same statements through plain pg').cpuMs;
  figure('GET /v1/nodes data access, Prisma / plain pg', prisma / direct, 'x');
} finally {
  await plain.end();
  await app.$disconnect();
  await owner.$disconnect();
  await db.drop();
}
