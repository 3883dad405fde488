import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, PrismaClient, withTenant, type Prisma } from '@meridian/db';
import { seedDemo } from '@meridian/db/seed';
import { createTestDatabase, type TestDatabase } from '@meridian/db/testing';
import { afterEventCursor } from '../src/audit/event-cursor';
import { encodeCursor, keyset } from '../src/common/pagination';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, into: PlanNode[] = []): PlanNode[] {
  into.push(node);
  for (const child of node.Plans ?? []) walk(child, into);
  return into;
}

/**
 * A page of a large list must cost what its 50 rows cost, not a sort of everything the tenant has:
 * with thousands of nodes and tens of thousands of events, the statements Prisma sends for the
 * first page and for a page after a cursor are planned as index scans in list order, with no Sort.
 * The statements are the ones Prisma generates for the services' own where/orderBy fragments, and
 * are explained as the API's role with the tenant set, so row-level security is part of the plan.
 */
describe('list pages are read in index order', () => {
  let db: TestDatabase;
  let owner: PrismaClient;
  let logged: PrismaClient;
  let app: pg.Pool;
  let tenantId: string;
  const statements: { query: string; params: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('keyset_plans');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
    ({ tenantId } = await seedDemo(owner));
    await owner.$executeRawUnsafe(`
      INSERT INTO edge_nodes (id, tenant_id, site_id, name, created_at, updated_at)
      SELECT gen_random_uuid(), s.tenant_id, s.id, 'plan-' || i, now() - (i || ' s')::interval, now()
      FROM generate_series(1, 3000) i CROSS JOIN LATERAL (SELECT id, tenant_id FROM sites WHERE tenant_id = '${tenantId}' ORDER BY name LIMIT 1) s`);
    await owner.$executeRawUnsafe(`
      INSERT INTO audit_events (tenant_id, source_id, seq, prev_hash, hash, body, type, actor, occurred_at, received_at)
      SELECT '${tenantId}', 'node-' || (i % 50), i, 'p', 'h', '{}', 'model.inference', 'node', now() - (i || ' ms')::interval, now() - (i || ' ms')::interval
      FROM generate_series(1, 30000) i`);
    await owner.$executeRawUnsafe('ANALYZE');
    // Prisma reports the SQL it sends; the same statements are then explained over plain pg.
    logged = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.appUrl }), log: [{ emit: 'event', level: 'query' }] });
    (logged as unknown as { $on(event: 'query', listener: (e: Prisma.QueryEvent) => void): void }).$on('query', (e) => statements.push({ query: e.query, params: e.params }));
    app = new pg.Pool({ connectionString: db.appUrl, max: 1 });
  }, 120_000);

  afterAll(async () => {
    await app?.end();
    await logged?.$disconnect();
    await owner?.$disconnect();
    await db?.drop();
  });

  /** Runs `read` through Prisma, then returns the plan of the statement on `table` it sent. */
  async function planOf(table: string, read: (tx: Prisma.TransactionClient) => Promise<unknown>): Promise<PlanNode[]> {
    statements.length = 0;
    await withTenant(logged, { tenantId }, read);
    const statement = statements.find((s) => s.query.includes(`"${table}"`) && s.query.startsWith('SELECT'));
    expect(statement, `no SELECT on ${table} among ${statements.map((s) => s.query).join('\n')}`).toBeDefined();
    const client = await app.connect();
    try {
      await client.query(`BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true)`);
      const result = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${statement!.query}`, JSON.parse(statement!.params) as unknown[]);
      await client.query('ROLLBACK');
      return walk(result.rows[0]!['QUERY PLAN'][0].Plan);
    } finally {
      client.release();
    }
  }

  /** `startsAt`: the column whose bound must be part of the index condition, so a deep page starts at its cursor. */
  const expectIndexOrder = (plan: PlanNode[], table: string, index: RegExp, startsAt?: string) => {
    expect(plan.filter((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Incremental Sort').map((n) => n['Node Type'])).toEqual([]);
    expect(plan.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name']?.startsWith(table))).toEqual([]);
    const scans = plan.filter((n) => index.test(n['Index Name'] ?? ''));
    expect(scans.length).toBeGreaterThan(0);
    if (startsAt) for (const scan of scans) expect(scan['Index Cond']).toContain(startsAt);
  };

  it('node pages, first and after a cursor, as GET /v1/nodes reads them', async () => {
    const first = keyset({ limit: 50 });
    const read = (where: object) => (tx: Prisma.TransactionClient) => tx.edgeNode.findMany({ where: { AND: [{ site: {} }, where] }, orderBy: first.orderBy, take: first.take, select: { id: true, createdAt: true } });
    expectIndexOrder(await planOf('edge_nodes', read(first.where)), 'edge_nodes', /^edge_nodes_tenant_id_created_at_id_idx$/);

    const deep = await owner.edgeNode.findFirstOrThrow({ where: { name: 'plan-2500' } });
    const after = keyset({ limit: 50, cursor: encodeCursor(deep) });
    expectIndexOrder(await planOf('edge_nodes', read(after.where)), 'edge_nodes', /^edge_nodes_tenant_id_created_at_id_idx$/, 'created_at');
  });

  it('audit event pages, first and after a cursor, as GET /v1/audit/events reads them', async () => {
    const read = (where: object) => (tx: Prisma.TransactionClient) =>
      tx.auditEvent.findMany({ where: { AND: [where] }, orderBy: [{ receivedAt: 'desc' }, { sourceId: 'desc' }, { seq: 'desc' }], take: 51 });
    // Every monthly partition has its own copy of the index, named after the partition.
    const index = /^audit_events_.*tenant_id_received_at_source_id_seq_idx$/;
    expectIndexOrder(await planOf('audit_events', read({})), 'audit_events', index);

    const deep = await owner.auditEvent.findFirstOrThrow({ where: { tenantId, sourceId: 'node-0', seq: 25_000n } });
    expectIndexOrder(await planOf('audit_events', read(afterEventCursor(deep))), 'audit_events', index, 'received_at');
  });

  it("one site's event pages (an integrator's, or ?siteId=), first and after a cursor, read in the site index's order", async () => {
    const siteId = (await owner.site.findFirstOrThrow({ where: { tenantId }, orderBy: { name: 'asc' } })).id;
    // Enough events that sorting them for each page would be the planner's worse choice, as at a busy site.
    await owner.$executeRawUnsafe(`
      INSERT INTO audit_events (tenant_id, source_id, seq, prev_hash, hash, body, type, actor, occurred_at, received_at, site_id)
      SELECT '${tenantId}', 'site-node', i, 'p', 'h', '{}', 'model.inference', 'node', now() - (i || ' ms')::interval, now() - (i || ' ms')::interval, '${siteId}'
      FROM generate_series(1, 20000) i`);
    await owner.$executeRawUnsafe('ANALYZE audit_events');
    const read = (where: object) => (tx: Prisma.TransactionClient) =>
      tx.auditEvent.findMany({ where: { AND: [{ siteId }, {}, where] }, orderBy: [{ receivedAt: 'desc' }, { sourceId: 'desc' }, { seq: 'desc' }], take: 51 });
    const index = /^audit_events_.*tenant_id_site_id_received_at_source_.*idx$/;
    expectIndexOrder(await planOf('audit_events', read({})), 'audit_events', index);
    const deep = await owner.auditEvent.findFirstOrThrow({ where: { tenantId, sourceId: 'site-node', seq: 15_000n } });
    expectIndexOrder(await planOf('audit_events', read(afterEventCursor(deep))), 'audit_events', index, 'received_at');
  });
});
