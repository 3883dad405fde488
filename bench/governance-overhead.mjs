#!/usr/bin/env node
// Governance overhead on inference and egress, bare vs governed, requests interleaved so both see
// the same machine:
//  - in process, for each shipped model: ONNX Runtime called bare (prepare + run) vs the agent's
//    governed POST /v1/infer handler called directly (decision + metadata redaction + provenance +
//    output hash + one journal record) — what governance adds to an inference, without HTTP;
//  - over the agent's local HTTP API: the same model behind a bare route vs POST /v1/infer, and a
//    record returned bare vs the governed POST /v1/egress (decision + redaction + journal).
// Strict durability (the agent's default) answers only once the record is fsync'd; batch answers at
// once and fsyncs with the next flush.
//   node bench/governance-overhead.mjs [--requests 3000] [--calls 20000] [--durability strict|batch] [--quick]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { figure, parseArgs, printMachine, repoRoot, summarize } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const agentDist = (file) => require(path.join(repoRoot, 'apps/edge-agent/dist', file));
const { Journal, journalLine } = agentDist('journal.js');
const { journalEvent } = agentDist('audit-uploader.js');
const { inferenceEvent } = agentDist('models/inference-api.js');
const { PolicyEngine } = agentDist('policy-engine.js');
const { LocalApi } = agentDist('local-api.js');
const { registerGovernedRoutes } = agentDist('governed-api.js');
const { createAgentState } = agentDist('state.js');
const { canonicalJson, mergePolicies, signBundle, EXAMPLE_BASE_POLICY } = require('@meridian/governance');
const { appendRecord } = require('@meridian/audit');
const { generateEd25519KeyPair, loadPrivateKey, sha256Hex } = require('@meridian/crypto');
const pino = require('pino');

const args = parseArgs({ requests: 3000, calls: 20000, durability: 'strict', warmup: 300 }, 'usage: node bench/governance-overhead.mjs [--requests N] [--calls N] [--durability strict|batch] [--quick]');
if (args.quick) Object.assign(args, { requests: 200, calls: 1000, warmup: 50 });
if (!['strict', 'batch'].includes(args.durability)) throw new Error('--durability: strict or batch');

printMachine();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'meridian-bench-agent-'));
const logger = pino({ level: 'silent' });
const nodeId = '00000000-0000-4000-8000-000000000001';
const tenantId = '00000000-0000-4000-8000-000000000002';
const siteId = '00000000-0000-4000-8000-000000000003';

// A node of a site in Chile holding a real signed bundle, as after enrollment and a publish.
const keys = generateEd25519KeyPair();
const identity = { nodeId, tenantId, siteId, siteCountry: 'CL', policySigningKeys: [{ keyId: 'k1', publicKey: keys.publicKey.toString('base64') }], heartbeatIntervalSeconds: 10, enrolledAt: new Date().toISOString(), controlPlane: 'bench' };
const { policy } = mergePolicies(EXAMPLE_BASE_POLICY, undefined, 'CL');
const bundle = signBundle(
  { apiVersion: 'meridian.dev/bundle/v1', tenantId, siteId, country: 'CL', version: 1, issuedAt: new Date().toISOString(), sources: { baseVersion: 1, overlayVersion: null }, consent: {}, policy, signingKeys: [] },
  'k1',
  loadPrivateKey(keys.privateKeyPem),
);

const journal = await Journal.open(dataDir, { maxBytes: 1024 ** 3, flushIntervalMs: args.durability === 'strict' ? 0 : 20, retentionMs: 86_400_000 }, logger);
const audit = { get full() { return journal.full; }, record: (event) => journal.append(journalEvent(nodeId, event)).then(() => undefined) };
const engine = new PolicyEngine(dataDir, identity, logger, audit, args.durability);
const applied = await engine.apply(bundle);
if (!applied.applied) throw new Error(`bundle refused: ${applied.reason}`);

/** The shipped ONNX models loaded by the agent's own runtime, served as the model manager would, with their first sample as input. */
async function loadServing(name, version) {
  const { LoadedModel } = agentDist('models/runtime.js');
  const dir = path.join(repoRoot, 'models', name, version);
  const card = JSON.parse(readFileSync(path.join(dir, 'card.json'), 'utf8'));
  const model = await LoadedModel.load(readFileSync(path.join(dir, 'model.onnx')), card);
  const [sample] = JSON.parse(readFileSync(path.join(repoRoot, 'models', name, 'samples.json'), 'utf8'));
  return { modelId: `bench-${name}`, name, version, card, artifactSha256: '', model, sample: sample.input };
}
const models = [await loadServing('pump-anomaly', '1.0.0'), await loadServing('inspection-classifier', '1.0.0')];
const manager = { find: (name) => models.find((m) => m.name === name), list: () => [], stateRecords: () => ({}) };

const api = new LocalApi();
const state = createAgentState('bench');
// The handlers as the HTTP server calls them, captured for the in-process comparison.
const handlers = new Map();
const capture = { route: (method, route, handler) => { handlers.set(`${method} ${route}`, handler); api.route(method, route, handler); return capture; } };
registerGovernedRoutes(api, () => engine, state, {}, logger);
agentDist('models/inference-api.js').registerModelRoutes(capture, { manager: () => manager, engine: () => engine, audit: () => audit, durability: args.durability }, state, logger);
const governedInfer = handlers.get('POST /v1/infer');
// The baselines: same server, same parsing, same response, no governance.
api.route('POST', '/bench/bare', async (request) => ({ status: 200, body: { record: request.body.record } }));
api.route('POST', '/bench/bare-infer', async (request) => {
  const serving = manager.find(request.body.model);
  return { status: 200, body: { outputs: await serving.model.run(serving.model.prepare(request.body.input)) } };
});
const port = await api.listen(0);

let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const inferRequest = (serving) => ({ model: serving.name, input: serving.sample, metadata: { pump: 'P-7', line: 'A' } });
const bodies = {
  egress: JSON.stringify({ category: 'inspection_images', destination: 'vendor_cloud:eu', record: { defect: 'scratch', score: 0.93, line: 'A', operator_badge: 'B-1042' } }),
  infer: JSON.stringify(inferRequest(models[0])),
};
const bodyFor = (route) => (route.includes('infer') ? bodies.infer : bodies.egress);
function post(route) {
  const body = bodyFor(route);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bare ONNX Runtime vs the governed handler, in this process: what governance adds to one inference. */
async function compareInProcess(serving) {
  const label = `in process, ${serving.name} ${serving.version}`;
  const request = () => ({ method: 'POST', path: '/v1/infer', body: JSON.parse(JSON.stringify(inferRequest(serving))) });
  const bare = new Float64Array(args.calls);
  const governed = new Float64Array(args.calls);
  const before = journal.lastSeq;
  for (let i = -args.warmup; i < args.calls; i += 1) {
    // the request body is parsed JSON in both cases: its copy is made outside the timed part
    const input = JSON.parse(JSON.stringify(serving.sample));
    const call = request();
    let started = performance.now();
    await serving.model.run(serving.model.prepare(input));
    const bareMs = performance.now() - started;
    started = performance.now();
    const answer = await governedInfer(call);
    const governedMs = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${label}: governed inference answered ${answer.status} ${JSON.stringify(answer.body)}`);
    if (i >= 0) {
      bare[i] = bareMs;
      governed[i] = governedMs;
    }
  }
  const journaled = journal.lastSeq - before;
  if (journaled !== args.calls + args.warmup) throw new Error(`${label}: expected one journal record per governed call, got ${journaled} for ${args.calls + args.warmup}`);
  const b = summarize(bare);
  const g = summarize(governed);
  console.log(`${label}: ${args.calls} calls each way (after ${args.warmup} warm-up), interleaved, durability ${args.durability}; one journal record per governed call`);
  figure(`${label}: bare ONNX Runtime p50`, b.p50 * 1000, 'us');
  figure(`${label}: bare ONNX Runtime p99`, b.p99 * 1000, 'us');
  figure(`${label}: governed p50`, g.p50 * 1000, 'us');
  figure(`${label}: governed p99`, g.p99 * 1000, 'us');
  figure(`${label}: added p50`, (g.p50 - b.p50) * 1000, 'us', `${(((g.p50 - b.p50) / b.p50) * 100).toFixed(1)} % of bare`);
  figure(`${label}: added p99`, (g.p99 - b.p99) * 1000, 'us', `${(((g.p99 - b.p99) / b.p99) * 100).toFixed(1)} % of bare (target < 50 us and < 5 %)`);
  return b.p50 * 1000;
}

/**
 * The governed path's own pieces, each timed alone (mean of many calls, no I/O): what the added time
 * is made of, beside the bare inference. The journal record is its CPU part (canonical JSON of the
 * event, chain hash, the line), as the handler's record costs before the write.
 */
async function governedPieces(serving, bareP50Us) {
  const label = `in process, ${serving.name} ${serving.version}`;
  const category = serving.card.inputCategories[0];
  const decision = engine.evaluate({ category, action: 'infer' });
  const metadata = { pump: 'P-7', line: 'A' };
  const outputs = await serving.model.run(serving.model.prepare(serving.sample));
  // The record the agent's handler journals for an allowed inference (models/inference-api.ts).
  const subject = { category, decision, model: { name: serving.name, modelId: serving.modelId, version: serving.version }, provenance: { metadata, ...(decision.provenance === 'content_hash' ? { contentHash: 'c'.repeat(64) } : {}) } };
  const event = () => journalEvent(nodeId, inferenceEvent(subject, { outputHash: 'a'.repeat(64), durationMs: 0.012 }));
  let previous = { seq: 1, hash: 'b'.repeat(64) };
  const pieces = [
    ['decision', () => engine.evaluate({ category, action: 'infer' })],
    ['metadata redaction', () => engine.redact(metadata, engine.redactionFor(category))],
    ...(decision.provenance === 'content_hash' ? [['input content hash', () => sha256Hex(canonicalJson(serving.sample))]] : []),
    ['output hash', () => sha256Hex(canonicalJson(outputs))],
    [
      'journal record (CPU)',
      () => {
        const record = appendRecord(previous, event());
        previous = record;
        return journalLine(record);
      },
    ],
  ];
  const calls = Math.max(2000, args.calls);
  const means = pieces.map(([name, run]) => {
    for (let i = 0; i < 500; i += 1) run();
    const started = performance.now();
    for (let i = 0; i < calls; i += 1) run();
    return [name, ((performance.now() - started) * 1000) / calls];
  });
  const sum = means.reduce((total, [, us]) => total + us, 0);
  figure(`${label}: governed pieces, mean`, means.map(([name, us]) => `${name} ${us.toFixed(1)} us`).join(', '));
  figure(`${label}: governed pieces, sum of means`, sum, 'us', `${((100 * sum) / bareP50Us).toFixed(0)} % of the bare inference p50; 5 % of it is ${(bareP50Us / 20).toFixed(1)} us`);
}

async function compare(label, bareRoute, governedRoute, recordsPerRequest) {
  // A fresh connection: one left idle through the in-process part may be closing on the server's
  // keep-alive timeout just as it is reused (ECONNRESET).
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < args.warmup; i += 1) await post(i % 2 ? bareRoute : governedRoute);
  const bare = [];
  const governed = [];
  const before = journal.lastSeq;
  // interleaved, one request at a time, so both see the same machine
  for (let i = 0; i < args.requests; i += 1) {
    bare.push((await post(bareRoute)).ms);
    governed.push((await post(governedRoute)).ms);
  }
  const journaled = journal.lastSeq - before;
  const b = summarize(bare);
  const g = summarize(governed);
  console.log(`${label}: ${args.requests} requests each way, sequential, durability ${args.durability}; journaled ${journaled} records (${recordsPerRequest} per governed request)`);
  figure(`${label}: bare call p50`, b.p50, 'ms');
  figure(`${label}: bare call p99`, b.p99, 'ms');
  figure(`${label}: governed call p50`, g.p50, 'ms');
  figure(`${label}: governed call p99`, g.p99, 'ms');
  figure(`${label}: governance overhead p50`, g.p50 - b.p50, 'ms');
  figure(`${label}: governance overhead p99`, g.p99 - b.p99, 'ms');
  figure(`${label}: governed / bare p50`, g.p50 / b.p50, 'x');
  if (journaled !== args.requests * recordsPerRequest) throw new Error(`${label}: expected ${args.requests * recordsPerRequest} journal records, got ${journaled}`);
}

try {
  // the governed answers really are governed: redacted, recorded; the model really ran
  const egress = await post('/v1/egress');
  if (egress.body.decision !== 'allow_with_redaction' || 'operator_badge' in (egress.body.record ?? {})) throw new Error(`unexpected governed egress: ${JSON.stringify(egress.body)}`);
  const inferred = await post('/v1/infer');
  const bareInferred = await post('/bench/bare-infer');
  if (inferred.status !== 200 || JSON.stringify(inferred.body.outputs) !== JSON.stringify(bareInferred.body.outputs)) throw new Error(`governed inference differs: ${JSON.stringify(inferred.body)} vs ${JSON.stringify(bareInferred.body)}`);
  console.log(`models: ${models.map((m) => `${m.name} ${m.version}`).join(', ')} (ONNX Runtime, cpu, 1 thread); pump-anomaly anomaly_score ${JSON.stringify(inferred.body.outputs.anomaly_score.data)}`);
  for (const serving of models) await governedPieces(serving, await compareInProcess(serving));
  await compare('http, inference (pump-anomaly)', '/bench/bare-infer', '/v1/infer', 1);
  await compare('http, egress', '/bench/bare', '/v1/egress', 1);
} finally {
  agent.destroy();
  await api.close();
  await journal.close();
  for (const serving of models) await serving.model.release?.().catch?.(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
