#!/usr/bin/env node
// Governance overhead on the agent's local API, on one server, requests interleaved:
//  - inference: the shipped ONNX model (pump-anomaly 1.0.0) run bare (prepare + ONNX Runtime, no
//    decision, no journal) vs the agent's governed POST /v1/infer (decision + metadata redaction +
//    provenance + journal record);
//  - egress: the same record returned bare vs the governed POST /v1/egress (decision + redaction +
//    journal).
// Strict durability (the agent's default) answers only once the record is fsync'd.
//   node bench/governance-overhead.mjs [--requests 3000] [--durability strict|batch] [--quick]
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { figure, parseArgs, printMachine, repoRoot, summarize } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const agentDist = (file) => require(path.join(repoRoot, 'apps/edge-agent/dist', file));
const { Journal } = agentDist('journal.js');
const { PolicyEngine } = agentDist('policy-engine.js');
const { LocalApi } = agentDist('local-api.js');
const { registerGovernedRoutes } = agentDist('governed-api.js');
const { createAgentState } = agentDist('state.js');
const { mergePolicies, signBundle, EXAMPLE_BASE_POLICY } = require('@meridian/governance');
const { generateEd25519KeyPair, loadPrivateKey } = require('@meridian/crypto');
const pino = require('pino');

const args = parseArgs({ requests: 3000, durability: 'strict', warmup: 300 }, 'usage: node bench/governance-overhead.mjs [--requests N] [--durability strict|batch] [--quick]');
if (args.quick) Object.assign(args, { requests: 200, warmup: 50 });
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

const journal = await Journal.open(dataDir, { maxBytes: 1024 ** 3, flushIntervalMs: args.durability === 'strict' ? 2 : 20, retentionMs: 86_400_000 }, logger);
const audit = { get full() { return journal.full; }, record: (event) => journal.append({ at: new Date().toISOString(), actor: `node:${nodeId}`, ...event }).then(() => undefined) };
const engine = new PolicyEngine(dataDir, identity, logger, audit, args.durability);
const applied = await engine.apply(bundle);
if (!applied.applied) throw new Error(`bundle refused: ${applied.reason}`);

/** The shipped ONNX model loaded by the agent's own runtime, served as the model manager would. */
async function loadServing() {
  const { readFileSync } = await import('node:fs');
  const { LoadedModel } = agentDist('models/runtime.js');
  const dir = path.join(repoRoot, 'models/pump-anomaly/1.0.0');
  const card = JSON.parse(readFileSync(path.join(dir, 'card.json'), 'utf8'));
  const model = await LoadedModel.load(readFileSync(path.join(dir, 'model.onnx')), card);
  return { modelId: 'bench-pump-anomaly', name: 'pump-anomaly', version: '1.0.0', card, artifactSha256: '', model };
}
const serving = await loadServing();
const manager = { find: (name) => (name === serving.name ? serving : undefined), list: () => [], stateRecords: () => ({}) };

const api = new LocalApi();
const state = createAgentState('bench');
registerGovernedRoutes(api, () => engine, state, {}, logger);
agentDist('models/inference-api.js').registerModelRoutes(api, { manager: () => manager, engine: () => engine, audit: () => audit, durability: args.durability }, state, logger);
// The baselines: same server, same parsing, same response, no governance.
api.route('POST', '/bench/bare', async (request) => ({ status: 200, body: { record: request.body.record } }));
api.route('POST', '/bench/bare-infer', async (request) => ({ status: 200, body: { outputs: await serving.model.run(serving.model.prepare(request.body.input)) } }));
const port = await api.listen(0);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const bodies = {
  egress: JSON.stringify({ category: 'inspection_images', destination: 'vendor_cloud:eu', record: { defect: 'scratch', score: 0.93, line: 'A', operator_badge: 'B-1042' } }),
  infer: JSON.stringify({ model: 'pump-anomaly', input: { features: [[2.0, 0.5, 55, 12]] }, metadata: { pump: 'P-7', line: 'A' } }),
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

async function compare(label, bareRoute, governedRoute, recordsPerRequest) {
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
  // /v1/infer journals the policy decision and then the inference (two fsync'd writes in strict mode)
  if (journaled !== args.requests * recordsPerRequest) throw new Error(`${label}: expected ${args.requests * recordsPerRequest} journal records, got ${journaled}`);
}

try {
  // the governed answers really are governed: redacted, recorded; the model really ran
  const egress = await post('/v1/egress');
  if (egress.body.decision !== 'allow_with_redaction' || 'operator_badge' in (egress.body.record ?? {})) throw new Error(`unexpected governed egress: ${JSON.stringify(egress.body)}`);
  const inferred = await post('/v1/infer');
  const bareInferred = await post('/bench/bare-infer');
  if (inferred.status !== 200 || JSON.stringify(inferred.body.outputs) !== JSON.stringify(bareInferred.body.outputs)) throw new Error(`governed inference differs: ${JSON.stringify(inferred.body)} vs ${JSON.stringify(bareInferred.body)}`);
  console.log(`model: pump-anomaly 1.0.0 (ONNX Runtime, cpu, 1 thread), anomaly_score ${JSON.stringify(inferred.body.outputs.anomaly_score.data)}`);
  await compare('inference (ONNX)', '/bench/bare-infer', '/v1/infer', 2);
  await compare('egress', '/bench/bare', '/v1/egress', 1);
} finally {
  agent.destroy();
  await api.close();
  await journal.close();
  await serving.model.release?.().catch?.(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
