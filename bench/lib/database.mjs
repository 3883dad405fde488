import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createPrismaClient } = require('@meridian/db');
const { createTestDatabase } = require('@meridian/db/testing');
const pg = require('pg');

/**
 * A database of the script's own, migrated as the tests' are: the owner (Prisma and plain pg, for
 * filling it directly) and the application role (row-level security on). `close()` drops it.
 */
export async function openBenchDatabase(name) {
  const db = await createTestDatabase(name);
  const owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
  const app = createPrismaClient({ url: db.appUrl, poolSize: 2 });
  const plain = new pg.Pool({ connectionString: db.ownerUrl, max: 2 });
  return {
    owner,
    app,
    plain,
    async close() {
      await plain.end();
      await app.$disconnect();
      await owner.$disconnect();
      await db.drop();
    },
  };
}

const { appendRecord } = require('@meridian/audit');

/**
 * Fills a tenant's audit log directly, as the ingest stores it: each event chained onto its source's
 * last record, rows written by one INSERT … SELECT FROM unnest(…) per flush.
 */
export function auditLogWriter(plain, tenantId) {
  const heads = new Map();
  let rows;
  const reset = () => (rows = { source: [], seq: [], prev: [], hash: [], body: [], type: [], actor: [], site: [], category: [], decision: [] });
  reset();
  return {
    get pending() {
      return rows.source.length;
    },
    add(sourceId, event, siteId = null) {
      const record = appendRecord(heads.get(sourceId), event);
      heads.set(sourceId, record);
      rows.source.push(sourceId);
      rows.seq.push(record.seq);
      rows.prev.push(record.prevHash);
      rows.hash.push(record.hash);
      rows.body.push(record.body);
      rows.type.push(event.type);
      rows.actor.push(event.actor);
      rows.site.push(siteId);
      rows.category.push(event.category ?? null);
      rows.decision.push(event.decision ?? null);
    },
    /** Writes the rows added since the last flush; returns how many. */
    async flush() {
      const count = rows.source.length;
      if (count === 0) return 0;
      await plain.query(
        `INSERT INTO audit_events (tenant_id, source_id, seq, prev_hash, hash, body, type, actor, site_id, category, decision, occurred_at)
         SELECT $1::uuid, s, q, p, h, b, t, a, si, c, d, now()
         FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS u(s, q, p, h, b, t, a, si, c, d)`,
        [tenantId, rows.source, rows.seq, rows.prev, rows.hash, rows.body, rows.type, rows.actor, rows.site, rows.category, rows.decision],
      );
      reset();
      return count;
    },
  };
}
