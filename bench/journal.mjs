#!/usr/bin/env node
// The agent's audit journal at the size a busy node reaches: N records on disk, most of them
// acknowledged (kept for the retention period), a backlog not yet uploaded. Measures what the agent
// pays for each of its journal operations at that size, in process, on the real file system:
//  - opening it (recovery verifies the whole chain once, at start);
//  - reading the next upload batch (500 records after the acknowledged one), as the uploader does
//    before every UploadAudit call;
//  - acknowledging that batch;
//  - a compaction pass when the oldest two minutes of records are past retention (the uploader runs
//    one a minute);
//  - the agent process's peak memory (RSS) over all of it.
//   node bench/journal.mjs [--records 1000000] [--backlog 20000] [--quick]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { figure, parseArgs, printMachine, repoRoot, summarize } from './lib/common.mjs';

const require = createRequire(import.meta.url);
// BENCH_JOURNAL_MODULE: another build of the journal (e.g. an older commit's), for before/after runs.
const { Journal } = require(process.env.BENCH_JOURNAL_MODULE ?? path.join(repoRoot, 'apps/edge-agent/dist/journal.js'));
const { journalEvent } = require(path.join(repoRoot, 'apps/edge-agent/dist/audit-uploader.js'));
const pino = require('pino');

const args = parseArgs({ records: 1_000_000, backlog: 20_000, reads: 20 }, 'usage: node bench/journal.mjs [--records N] [--backlog N] [--reads N] [--quick]');
if (args.quick) Object.assign(args, { records: 20_000, backlog: 5_000, reads: 5 });

printMachine();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'meridian-bench-journal-'));
const logger = pino({ level: 'silent' });
const nodeId = '00000000-0000-4000-8000-000000000001';
const options = { maxBytes: 4 * 1024 ** 3, flushIntervalMs: 5, retentionMs: 30 * 86_400_000 };
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sampleRss, 20);

// Records as the agent writes them for an inference (model, decision, provenance), with times
// spread over the last days so that one minute's worth is old enough to compact.
const span = 3 * 86_400_000;
const start = Date.now() - options.retentionMs - 60_000;
const eventAt = (i) => new Date(start + Math.floor((i / args.records) * span)).toISOString();
const event = (i) =>
  journalEvent(nodeId, {
    at: eventAt(i),
    type: 'model.inference',
    category: 'sensor_telemetry',
    decision: 'allow',
    data: { modelId: '00000000-0000-4000-8000-00000000000a', version: '1.2.0', inputSha256: 'a'.repeat(64), outputSha256: 'b'.repeat(64), provenance: { line: 'A', station: i % 40 } },
  });

const built = performance.now();
let journal = await Journal.open(dataDir, options, logger);
for (let i = 0; i < args.records; i += 1000) {
  const appends = [];
  for (let j = i; j < Math.min(args.records, i + 1000); j += 1) appends.push(journal.append(event(j)));
  await Promise.all(appends);
}
await journal.flush();
// Everything but the backlog was uploaded.
const acknowledgedSeq = args.records - args.backlog;
const ackBatch = await journal.unacknowledged(acknowledgedSeq);
await journal.acknowledge({ seq: acknowledgedSeq, hash: ackBatch.at(-1).hash });
await journal.close();
const buildSeconds = (performance.now() - built) / 1000;
const { size } = await import('node:fs').then((fs) => fs.promises.stat(path.join(dataDir, 'journal')).then(async () => ({ size: (await fs.promises.readdir(path.join(dataDir, 'journal'))).length })));
console.log(`built a journal of ${args.records} records (${args.backlog} not acknowledged) in ${buildSeconds.toFixed(1)} s; ${size} files in journal/`);

const rssBefore = process.memoryUsage().rss;
peakRss = rssBefore;
let t = performance.now();
journal = await Journal.open(dataDir, options, logger);
figure('open (recover and verify the chain)', (performance.now() - t) / 1000, 's', `${args.records} records`);

const reads = [];
const acks = [];
for (let i = 0; i < args.reads; i += 1) {
  t = performance.now();
  const batch = await journal.unacknowledged(500);
  reads.push(performance.now() - t);
  t = performance.now();
  await journal.acknowledge({ seq: batch.at(-1).seq, hash: batch.at(-1).hash });
  acks.push(performance.now() - t);
}
const read = summarize(reads);
figure('next upload batch (500 records) p50', read.p50, 'ms', `${args.reads} reads`);
figure('next upload batch (500 records) max', read.max, 'ms');
figure('acknowledge p50', summarize(acks).p50, 'ms');

t = performance.now();
// Two minutes of records are past the retention period.
const dropped = await journal.compact(start + options.retentionMs + 120_000);
figure('compaction pass', (performance.now() - t) / 1000, 's', `${dropped} records dropped`);

t = performance.now();
await journal.append(event(args.records));
figure('append after all that', performance.now() - t, 'ms');
await journal.close();
clearInterval(sampler);
sampleRss();
figure('agent RSS growth over the journal operations', (peakRss - rssBefore) / 1024 ** 2, 'MiB', `RSS ${(rssBefore / 1024 ** 2).toFixed(0)} MiB after building the journal, peak ${(peakRss / 1024 ** 2).toFixed(0)} MiB during the operations`);
rmSync(dataDir, { recursive: true, force: true });
