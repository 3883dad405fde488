#!/usr/bin/env node
// A tenant's audit log at the size a fleet reaches, in this process on a database of its own: what a
// checkpoint costs (the worker signs one a minute per tenant with new events), and what an auditor's
// export costs to build and store (the worker) and to verify (the offline CLI), with the memory each
// needs, and what an inclusion or consistency proof costs (each event's page in the portal asks for
// one), and what re-verifying the stored log costs (GET /v1/audit/verify). The log is filled directly (as ingest stores it: chained records of 100 sources), not timed.
//   node bench/audit-log.mjs [--events 1000000] [--quick]
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { figure, parseArgs, printMachine } from './lib/common.mjs';
import { auditLogWriter, openBenchDatabase } from './lib/database.mjs';
import { assertBuilt } from './lib/stack.mjs';

const require = createRequire(import.meta.url);
const { withTenant, createCheckpoint, appendPendingToLog, logLeafHashes, logTreeReader, storeAuditExport, verifyTenantLog } = require('@meridian/db');
const { inclusionProof, leafHash, logLeafBytes, rootFromLeafHashes, TiledMerkleTree, verifyAuditExportStream, verifyChain } = require('@meridian/audit');

const args = parseArgs({ events: 1_000_000, sources: 100, added: 1000 }, 'usage: node bench/audit-log.mjs [--events N] [--sources N] [--added N] [--quick]');
if (args.quick) Object.assign(args, { events: 20_000, sources: 20, added: 100 });

assertBuilt();
printMachine();
const database = await openBenchDatabase('bench_audit_log');
const { owner, app, plain } = database;
const encryptionKey = randomBytes(32);
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
/** Runs `work`, returning its result, its seconds and how far it raised this process's RSS above where it started. */
async function measured(work) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  peak = before;
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { result, seconds, rssMiB: (peak - before) / 1024 ** 2 };
}

try {
  const tenantId = (await owner.tenant.create({ data: { slug: 'bench-audit-log', name: 'Bench audit log' } })).id;
  const asTenant = (work) => withTenant(app, { tenantId }, work, { timeoutMs: 60 * 60_000 });
  const log = auditLogWriter(plain, tenantId);

  /** Appends `count` inference records, round-robin over the sources, in batches of 5,000 rows. */
  async function fill(count) {
    for (let done = 0; done < count; ) {
      const batch = Math.min(5000, count - done);
      for (let i = 0; i < batch; i += 1) {
        const sourceId = `node-${(done + i) % args.sources}`;
        log.add(sourceId, { at: new Date().toISOString(), type: 'model.inference', actor: `node:${sourceId}`, category: 'sensor_telemetry', decision: 'allow', data: { modelId: 'pump-anomaly', version: '1.2.0', outputSha256: 'b'.repeat(64), i: done + i } });
      }
      await log.flush();
      done += batch;
    }
    await plain.query('ANALYZE audit_events');
  }

  let started = performance.now();
  await fill(args.events);
  await asTenant((tx) => appendPendingToLog(tx));
  console.log(`filled a log of ${args.events} events from ${args.sources} sources in ${((performance.now() - started) / 1000).toFixed(1)} s (not timed below)`);

  const first = await measured(() => asTenant((tx) => createCheckpoint(tx, tenantId, encryptionKey)));
  figure('first checkpoint over the log (builds the tree once)', first.seconds, 's', `${first.result.treeSize} events, RSS +${first.rssMiB.toFixed(0)} MiB`);

  await fill(args.added);
  const next = await measured(() => asTenant((tx) => createCheckpoint(tx, tenantId, encryptionKey)));
  figure(`next checkpoint, ${args.added} events later`, next.seconds * 1000, 'ms', `tree size ${next.result.treeSize}, RSS +${next.rssMiB.toFixed(0)} MiB`);
  // What every checkpoint did before session 8, over the same log: read every leaf, hash the tree.
  const whole = await measured(() => asTenant(async (tx) => rootFromLeafHashes(await logLeafHashes(tx, next.result.treeSize)).toString('hex')));
  if (whole.result !== next.result.rootHash) throw new Error('the carried tree and the whole log disagree');
  figure('same checkpoint from the whole log (the session-7 method)', whole.seconds, 's', `RSS +${whole.rssMiB.toFixed(0)} MiB; same root`);

  // Proofs as the API builds them (GET /v1/audit/events/:source/:seq, /v1/audit/proofs/consistency):
  // from the stored tiles, for leaves spread over the log, beside the session-8 method (every leaf read).
  const size = next.result.treeSize;
  const picks = Array.from({ length: 25 }, (_, i) => Math.floor(((i + 0.5) / 25) * size));
  const times = [];
  let rowsRead = 0;
  const tiledPaths = [];
  for (const m of picks) {
    const started = performance.now();
    tiledPaths.push(
      await asTenant(async (tx) => {
        const reader = logTreeReader(tx);
        return new TiledMerkleTree({ read: (tiles) => ((rowsRead += tiles.reduce((n, t) => n + t.to - t.from, 0)), reader.read(tiles)) }, size).inclusionProof(m);
      }),
    );
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  figure('inclusion proof from the tiles, median of 25 leaves', times[12], 'ms', `max ${times.at(-1).toFixed(1)} ms, ${(rowsRead / picks.length).toFixed(0)} hashes read per proof on average`);
  const wholeProof = await measured(() => asTenant(async (tx) => inclusionProof(picks[7], await logLeafHashes(tx, size))));
  if (wholeProof.result.map((h) => h.toString('hex')).join() !== tiledPaths[7].map((h) => h.toString('hex')).join()) throw new Error('the tiled proof and the whole-log proof disagree');
  figure('inclusion proof from the whole log (the session-8 method)', wholeProof.seconds, 's', `RSS +${wholeProof.rssMiB.toFixed(0)} MiB; same proof`);
  const consistency = await measured(() => asTenant((tx) => new TiledMerkleTree(logTreeReader(tx), size).consistencyProof(first.result.treeSize)));
  figure(`consistency proof ${first.result.treeSize} -> ${size} from the tiles`, consistency.seconds * 1000, 'ms', `${consistency.result.length} hashes`);
  const storedNodes = Number((await plain.query('SELECT count(*)::bigint AS n FROM audit_tree_nodes WHERE tenant_id = $1', [tenantId])).rows[0].n);
  figure('stored tree nodes', storedNodes, 'rows', `${((storedNodes * 100) / size).toFixed(2)} per 100 events, 32-byte hashes`);

  // GET /v1/audit/verify: every chain and the latest checkpoint's root from the stored rows, in pages,
  // beside the session-8 method (every row, bodies included, read at once).
  const latest = { treeSize: size, rootHash: next.result.rootHash };
  const paged = await measured(() => asTenant((tx) => verifyTenantLog(tx, latest)));
  if (!paged.result.ok) throw new Error(`the log does not verify: ${paged.result.reason}`);
  figure('log re-verified from the stored rows, in pages (GET /v1/audit/verify)', paged.seconds, 's', `${paged.result.events} events, ${paged.result.sources} sources, RSS +${paged.rssMiB.toFixed(0)} MiB`);
  const atOnce = await measured(() =>
    asTenant(async (tx) => {
      const rows = await tx.auditEvent.findMany({ orderBy: [{ sourceId: 'asc' }, { seq: 'asc' }], select: { sourceId: true, seq: true, prevHash: true, hash: true, body: true, logIndex: true } });
      const bySource = new Map();
      for (const r of rows) (bySource.get(r.sourceId) ?? bySource.set(r.sourceId, []).get(r.sourceId)).push(r);
      for (const list of bySource.values()) if (!verifyChain(list.map((r) => ({ seq: Number(r.seq), prevHash: r.prevHash, hash: r.hash, body: r.body }))).ok) return false;
      const inLog = rows.filter((r) => r.logIndex !== null && Number(r.logIndex) < size).sort((a, b) => Number(a.logIndex - b.logIndex));
      return rootFromLeafHashes(inLog.map((r) => leafHash(logLeafBytes(r)))).toString('hex') === latest.rootHash;
    }),
  );
  if (!atOnce.result) throw new Error('the session-8 method does not verify the log');
  figure('same, every row read at once (the session-8 method)', atOnce.seconds, 's', `RSS +${atOnce.rssMiB.toFixed(0)} MiB`);

  const exportId = (await owner.auditExport.create({ data: { tenantId, requestedBy: 'user:bench' } })).id;
  const stored = await measured(() => asTenant((tx) => storeAuditExport(tx, exportId, { tenantId, requestedBy: 'user:bench' })));
  const gzBytes = Number((await plain.query('SELECT sum(length(content))::bigint AS n FROM audit_export_chunks WHERE export_id = $1', [exportId])).rows[0].n);
  figure('export built and stored (worker)', stored.seconds, 's', `${stored.result.events} events, ${Math.round(stored.result.events / stored.seconds)} events/s, ${(stored.result.sizeBytes / 1024 ** 2).toFixed(0)} MiB of JSON Lines in ${stored.result.chunks} gzip chunks (${(gzBytes / 1024 ** 2).toFixed(0)} MiB)`);
  figure('export: worker RSS growth', stored.rssMiB, 'MiB', 'one page of events and about one chunk held at a time');
  figure('export file size (uncompressed)', stored.result.sizeBytes / 1024 ** 2, 'MiB', 'a v2 bundle (one JSON string) could not be made above ~512 MiB');

  // The offline verifier reading the stored file back as a stream (as from a downloaded .jsonl.gz).
  async function* chunks() {
    for (let chunk = 0; chunk < stored.result.chunks; chunk += 1) {
      const { rows } = await plain.query('SELECT content FROM audit_export_chunks WHERE export_id = $1 AND chunk = $2', [exportId, chunk]);
      yield rows[0].content;
    }
  }
  const verified = await measured(() => verifyAuditExportStream(createInterface({ input: Readable.from(chunks()).pipe(createGunzip()), crlfDelay: Infinity })));
  if (!verified.result.ok) throw new Error(`export does not verify: ${verified.result.reason}`);
  figure('export verified offline, streaming', verified.seconds, 's', `${verified.result.events} events, ${verified.result.checkpoints} checkpoints, RSS +${verified.rssMiB.toFixed(0)} MiB`);
} finally {
  clearInterval(sampler);
  await database.close();
}
