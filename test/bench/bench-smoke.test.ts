import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every benchmark script runs in --quick mode and prints its figures (never judged by their values:
 * the machine running the tests is not a benchmark machine).
 */
const root = path.resolve(__dirname, '../..');

function runQuick(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bench', script), '--quick'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function figures(output: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const match of output.matchAll(/^figure: (.+?) = (-?[\d.]+)/gm)) found.set(match[1]!, Number(match[2]));
  return found;
}

/** Counts (not times) a quick run must reach: every agent connected, every event stored, every request answered. */
const COUNTS: Record<string, Record<string, number>> = {
  'fleet.mjs': { 'streams held by one control-plane process': 200, 'agent-side errors': 0 },
  'audit-ingest.mjs': { 'events stored via UploadAudit': 500 },
  'rest-reads.mjs': { 'requests answered 200': 600 },
  'rollout-fanout.mjs': { 'rollout targets': 200, 'agent-side errors': 0 },
};

const SCRIPTS: Record<string, string[]> = {
  'fleet.mjs': ['streams held by one control-plane process', 'memory per stream', 'publish -> acknowledged p50', 'publish -> acknowledged p99', 'publish -> acknowledged by 100%'],
  'audit-ingest.mjs': ['UploadAudit ingest (verified + stored)', 'raw COPY of the same rows into audit_events', 'ingest / raw COPY'],
  'governance-overhead.mjs': [
    'in process, pump-anomaly 1.0.0: bare ONNX Runtime p50',
    'in process, pump-anomaly 1.0.0: added p99',
    'in process, inspection-classifier 1.0.0: added p99',
    'in process, inspection-classifier 1.0.0: governed pieces, sum of means',
    'http, inference (pump-anomaly): governance overhead p50',
    'http, egress: bare call p50',
    'http, egress: governed call p99',
    'http, egress: governance overhead p50',
  ],
  'rollout-fanout.mjs': ['rollout planning (POST /v1/rollouts)', 'planning + fan-out to 100% of agents'],
  'audit-log.mjs': ['first checkpoint over the log (builds the tree once)', 'next checkpoint, 100 events later', 'same checkpoint from the whole log (the session-7 method)', 'inclusion proof from the tiles, median of 25 leaves', 'inclusion proof from the whole log (the session-8 method)', 'log re-verified from the stored rows, in pages (GET /v1/audit/verify)', 'export built and stored (worker)', 'export: worker RSS growth', 'export verified offline, streaming'],
  'audit-queries.mjs': ['insert time per 1,000 events (the ingest statement, with every audit_events index)', 'first page, unfiltered', 'first page, one node (sourceId)', 'first page, decision=deny', 'first page, one user (actor=user:alice)'],
  'journal.mjs': ['open (recover and verify the chain)', 'next upload batch (500 records) p50', 'acknowledge p50', 'compaction pass', 'agent RSS growth over the journal operations'],
  'rest-reads.mjs': ['REST read latency p50', 'REST read latency p99', 'achieved rate'],
  'read-costs.mjs': [
    'CPU per read: transaction that sets the tenant, one trivial statement (Prisma)',
    'CPU per read: node page + audit chains, as GET /v1/nodes (Prisma)',
    'CPU per read: node page + audit chains, same statements through plain pg',
    'Prisma CPU per row of 12 view columns',
    'GET /v1/nodes data access, Prisma / plain pg',
  ],
};

describe('benchmarks (--quick smoke run)', () => {
  for (const [script, expected] of Object.entries(SCRIPTS)) {
    it(`${script} runs and prints its figures and the machine`, async () => {
      const { code, output } = await runQuick(script);
      expect(code, output).toBe(0);
      expect(output).toMatch(/^machine: \d+ cpus .*, [\d.]+ GiB, node v\d+/m);
      const found = figures(output);
      for (const name of expected) {
        expect(found.has(name), `${script} did not print "${name}":\n${output}`).toBe(true);
        expect(Number.isFinite(found.get(name)), name).toBe(true);
      }
      for (const [name, count] of Object.entries(COUNTS[script] ?? {})) expect(found.get(name), `${name}\n${output}`).toBe(count);
    }, 240_000);
  }
});
