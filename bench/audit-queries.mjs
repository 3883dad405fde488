#!/usr/bin/env node
// A tenant's audit list at fleet size, read through the API's own code (AuditService.events, as
// GET /v1/audit/events runs it, as an auditor): the first page unfiltered and with each filter an
// auditor or integrator uses — one node, a busy node gone offline, a rare decision, control-plane event types among millions of
// inferences, a rare data category, one user, one site — with the plan PostgreSQL chose for it. Also
// what the audit_events indexes cost the ingest's insert (timed while filling). In this process, on a
// database of its own; the log is filled directly as ingest stores it (each upload a batch of 500
// records of one node, ten uploads per statement).
//   node bench/audit-queries.mjs [--events 1000000] [--sources 1000] [--without index,… | --with "CREATE INDEX …"] [--quick]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { figure, parseArgs, printMachine } from './lib/common.mjs';
import { auditLogWriter, openBenchDatabase } from './lib/database.mjs';
import { assertBuilt } from './lib/stack.mjs';

const require = createRequire(import.meta.url);
const { withTenant } = require('@meridian/db');
const { AuditService } = require('../apps/control-plane/dist/audit/audit.service.js');

const args = parseArgs({ events: 1_000_000, sources: 1000, sites: 10, runs: 7, without: '', with: '' }, 'usage: node bench/audit-queries.mjs [--events N] [--sources N] [--sites N] [--without index,index | --with "CREATE INDEX …"] [--quick]');
if (args.quick) Object.assign(args, { events: 30_000, sources: 60, runs: 3 });

assertBuilt();
printMachine();
const database = await openBenchDatabase('bench_audit_queries');
const { owner, app, plain } = database;
const BATCH = 500;
const UPLOADS_PER_STATEMENT = 10;

try {
  const tenantId = (await owner.tenant.create({ data: { slug: 'bench-audit-queries', name: 'Bench audit queries' } })).id;
  const sourceIds = Array.from({ length: args.sources }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const siteIds = Array.from({ length: args.sites }, (_, i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const siteOf = (i) => siteIds[i % siteIds.length];
  const log = auditLogWriter(plain, tenantId);
  let insertMs = 0;
  let inserted = 0;

  // Rare on purpose, as in a fleet: 0.1 % of inferences denied, 0.1 % redacted, 0.05 % of personal
  // data; a few hundred control-plane events (policy publishes, consent changes by two users).
  let upload = 0;
  let controlPlane = 0;
  let statements = 0;
  let done = 0;
  const controlPlaneEvery = Math.max(1, Math.floor(args.events / (BATCH * UPLOADS_PER_STATEMENT) / 40));
  /** Appends `count` events; returns the insert statements' time per 1,000 events. */
  async function fill(count) {
    const [msBefore, rowsBefore] = [insertMs, inserted];
    for (const end = done + count; done < end; ) {
      for (let u = 0; u < UPLOADS_PER_STATEMENT && done < end; u += 1, upload += 1) {
        // One busy node (a camera gateway) uploads a tenth of the first half of the log, then goes
        // offline; the others share the rest.
        const index = upload % UPLOADS_PER_STATEMENT === 0 && done < args.events / 2 ? 0 : 1 + (upload % (sourceIds.length - 1));
        const sourceId = sourceIds[index];
        for (let i = 0; i < BATCH && done < end; i += 1, done += 1) {
          const roll = (done * 7919) % 10000;
          const decision = roll < 10 ? 'deny' : roll < 20 ? 'allow_with_redaction' : 'allow';
          const category = roll >= 9995 ? 'personal' : roll % 20 === 0 ? 'images' : 'sensor_telemetry';
          log.add(sourceId, { at: new Date().toISOString(), type: 'model.inference', actor: `node:${sourceId}`, category, decision, data: { modelId: 'pump-anomaly', version: '1.2.0', i: done } }, siteOf(index));
        }
      }
      statements += 1;
      if (statements % controlPlaneEvery === 0) {
        for (let i = 0; i < 5; i += 1, controlPlane += 1) {
          const type = i % 2 ? 'admin.consent.changed' : 'admin.policy.published';
          log.add('control-plane', { at: new Date().toISOString(), type, actor: `user:${i % 2 ? 'alice' : 'bob'}`, data: { n: controlPlane } }, null);
        }
      }
      const t0 = performance.now();
      inserted += await log.flush();
      insertMs += performance.now() - t0;
    }
    await plain.query('ANALYZE audit_events');
    return ((insertMs - msBefore) / (inserted - rowsBefore)) * 1000;
  }

  const started = performance.now();
  const fillMs = await fill(args.events);
  console.log(`filled a log of ${inserted} events (${controlPlane} from the control plane) from ${args.sources} nodes on ${args.sites} sites in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  figure('insert time per 1,000 events (the ingest statement, with every audit_events index)', fillMs, 'ms');

  const tenantPrisma = { run: (context, work, timeoutMs) => withTenant(app, { tenantId: context.tenantId, userId: context.userId }, work, timeoutMs ? { timeoutMs } : {}) };
  const audit = new AuditService(tenantPrisma, undefined, undefined);
  const auditor = { kind: 'user', subjectId: 'bench', userId: undefined, tenantId, role: 'auditor', integratorOrgId: null };
  // A node whose last upload is in the middle of the log.
  let middle = Math.floor(args.events / BATCH / 2);
  if (middle % UPLOADS_PER_STATEMENT === 0) middle += 1;
  const node = sourceIds[1 + (middle % (sourceIds.length - 1))];
  const cases = [
    ['unfiltered', {}, ''],
    ['one node (sourceId)', { sourceId: node }, `source_id = '${node}'`],
    ['a busy node gone offline (sourceId; 5 % of the log, all in its older half)', { sourceId: sourceIds[0] }, `source_id = '${sourceIds[0]}'`],
    ['decision=deny', { decision: 'deny' }, `decision = 'deny'`],
    // The API adds the one source these can be in (audit/event-filter.ts); the plans shown are of that query.
    ['control-plane types (type=admin.policy.published,admin.consent.changed)', { type: 'admin.policy.published,admin.consent.changed' }, `source_id = 'control-plane' AND type IN ('admin.policy.published', 'admin.consent.changed')`],
    ['category=personal', { category: 'personal' }, `category = 'personal'`],
    ['one user (actor=user:alice)', { actor: 'user:alice' }, `source_id = 'control-plane' AND actor = 'user:alice'`],
    ['one node by actor (actor=node:…)', { actor: `node:${node}` }, `source_id = '${node}' AND actor = 'node:${node}'`],
    ['one site (siteId)', { siteId: siteIds[3] }, `site_id = '${siteIds[3]}'`],
  ];
  /** The first page of each case through AuditService.events, and the plan PostgreSQL chose for it. */
  async function measure(label) {
    const client = await plain.connect();
    try {
      for (const [name, query, where] of cases) {
        const times = [];
        let page;
        for (let run = 0; run < args.runs; run += 1) {
          const t0 = performance.now();
          page = await audit.events(auditor, { ...query, limit: 50 });
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        // The plan of the same page as the API role sees it (row-level security on), top node and what it filtered out.
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE meridian_app');
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
        const plan = (await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM audit_events WHERE ${where || 'TRUE'} ORDER BY received_at DESC, source_id DESC, seq DESC LIMIT 51`)).rows.map((r) => r['QUERY PLAN']);
        await client.query('ROLLBACK');
        const scans = [...new Set(plan.flatMap((l) => /(Seq Scan on \w+|(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? using \w+)/.exec(l)?.[1]?.replace(/audit_events_(?:y\d{4}m\d{2}|default)/, 'audit_events').replace(/_idx$|_i_idx$|__idx$/, '') ?? []))].join(', ');
        const sorted = plan.some((l) => /(Sort|Incremental Sort)\s+\(actual/.test(l)) ? 'sorted' : 'in index order';
        const removed = plan.filter((l) => /Rows Removed by Filter/.test(l)).reduce((n, l) => n + Number(/(\d+)/.exec(l)[1]), 0);
      // The whole plan's buffers (the first Buffers line is the top node's): pages of index and table it touched.
      const buffers = /Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?/.exec(plan.find((l) => /Buffers:/.test(l)) ?? '');
      const pages = buffers ? Number(buffers[1] ?? 0) + Number(buffers[2] ?? 0) : 0;
      figure(`first page, ${name}${label}`, times[Math.floor(times.length / 2)], 'ms', `median of ${args.runs}; ${page.items.length} events; ${scans}, ${sorted}; ${pages} pages touched, ${removed} rows removed by a filter`);
      }
    } finally {
      client.release();
    }
  }

  await measure('');
  // Before/after in one run: the same log with audit_events indexes dropped (--without a,b) or one
  // added (--with "CREATE INDEX …"). Inserts are timed alternately on each side (the schema as it
  // stands, then changed, then back, then changed again, 50,000 events each), as one side after the
  // other measured the machine's drift as much as the index.
  if (args.without || args.with) {
    const extra = args.quick ? 5000 : 50_000;
    const names = args.without ? String(args.without).split(',') : [];
    const definitions = [];
    for (const name of names) {
      const found = (await plain.query('SELECT indexdef FROM pg_indexes WHERE indexname = $1', [name])).rows[0];
      if (!found) throw new Error(`no index ${name}`);
      definitions.push(found.indexdef);
    }
    const change = async () => {
      if (args.without) for (const name of names) await plain.query(`DROP INDEX ${name}`);
      else await plain.query(String(args.with));
    };
    const undo = async () => {
      if (args.without) for (const definition of definitions) await plain.query(definition);
      else await plain.query(`DROP INDEX ${/INDEX\s+(?:IF NOT EXISTS\s+)?(\w+)/i.exec(String(args.with))[1]}`);
    };
    const asIs = [];
    const changed = [];
    for (let round = 0; round < 2; round += 1) {
      if (round > 0) await undo();
      asIs.push(await fill(extra));
      await change();
      changed.push(await fill(extra));
    }
    const label = args.without ? `without ${args.without}` : 'with the added index';
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    figure(`insert time per 1,000 events, as the schema stands / ${label}`, mean(asIs) / mean(changed), '', `${asIs.map((v) => v.toFixed(1)).join(', ')} / ${changed.map((v) => v.toFixed(1)).join(', ')} ms, ${extra} events each, alternating`);
    await measure(` (${label})`);
  }
} finally {
  await database.close();
}
