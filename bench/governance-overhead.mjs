#!/usr/bin/env node
// Governance overhead on the agent's local API: the same request answered bare (no decision, no
// redaction, no journal) and through the agent's governed path (policy decision + redaction +
// hash-chained journal, strict durability = answered once fsync'd), on one server, interleaved.
//   node bench/governance-overhead.mjs [--requests 3000] [--durability strict|batch] [--quick]
//
// Inference plugs in through `loadInference` below: when the agent gains its ONNX route the same
// comparison runs with the model call inside both paths.
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

/** The model call, identical in both paths. None yet: the comparison is the governance path alone. */
async function loadInference() {
  return { name: 'none', run: async (record) => record };
}
const inference = await loadInference();

const api = new LocalApi();
const state = createAgentState('bench');
registerGovernedRoutes(api, () => engine, state, {}, logger);
// The baseline: same server, same parsing, same response, no governance.
api.route('POST', '/bench/bare', async (request) => ({ status: 200, body: { record: await inference.run(request.body.record) } }));
const port = await api.listen(0);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const body = JSON.stringify({ category: 'inspection_images', destination: 'vendor_cloud:eu', record: { defect: 'scratch', score: 0.93, line: 'A', operator_badge: 'B-1042' } });
function post(route) {
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

try {
  // the governed answer really is governed: redacted, recorded
  const sample = await post('/v1/egress');
  if (sample.body.decision !== 'allow_with_redaction' || 'operator_badge' in (sample.body.record ?? {})) throw new Error(`unexpected governed answer: ${JSON.stringify(sample.body)}`);
  for (let i = 0; i < args.warmup; i += 1) await post(i % 2 ? '/bench/bare' : '/v1/egress');
  const bare = [];
  const governed = [];
  const before = journal.lastSeq;
  // interleaved, one request at a time, so both see the same machine
  for (let i = 0; i < args.requests; i += 1) {
    bare.push((await post('/bench/bare')).ms);
    governed.push((await post('/v1/egress')).ms);
  }
  const journaled = journal.lastSeq - before;
  const b = summarize(bare);
  const g = summarize(governed);
  console.log(`governance overhead: ${args.requests} requests each way, sequential, durability ${args.durability}, inference: ${inference.name}; journaled ${journaled} decisions`);
  figure('bare call p50', b.p50, 'ms');
  figure('bare call p99', b.p99, 'ms');
  figure('governed call p50', g.p50, 'ms', 'decision + redaction + journal');
  figure('governed call p99', g.p99, 'ms');
  figure('governance overhead p50', g.p50 - b.p50, 'ms');
  figure('governance overhead p99', g.p99 - b.p99, 'ms');
  figure('governed / bare p50', g.p50 / b.p50, 'x');
  if (journaled !== args.requests) throw new Error(`expected ${args.requests} journaled decisions, got ${journaled}`);
} finally {
  agent.destroy();
  await api.close();
  await journal.close();
  rmSync(dataDir, { recursive: true, force: true });
}
