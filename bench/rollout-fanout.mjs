#!/usr/bin/env node
// Rollout planning and fan-out: a published model version rolled out to N connected agents. Planning
// is the POST /v1/rollouts request (targets, batches, rows); fan-out is until every agent has
// received, over its WatchDesiredState stream, a desired state naming the new version (the worker
// starts the batch, the control plane pushes it). One batch (canary = 100%): the gates and pauses
// between batches are waits chosen by the operator, not work.
//   node bench/rollout-fanout.mjs [--agents 10000] [--procs 2] [--quick]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, figure, parseArgs, printMachine, repoRoot, sleep, summarize, waitFor } from './lib/common.mjs';
import { createFleet, startSimulators } from './lib/fleet.mjs';
import { startStack } from './lib/stack.mjs';

const args = parseArgs({ agents: 10_000, procs: 2, targetMs: 10_000 }, 'usage: node bench/rollout-fanout.mjs [--agents N] [--procs P] [--quick]');
if (args.quick) args.agents = Math.min(args.agents, 200);
const now = () => performance.timeOrigin + performance.now();
const started = now();
const progress = (what) => process.stderr.write(`[${((now() - started) / 1000).toFixed(1)} s] ${what}\n`);

printMachine();
console.log(`rollout fan-out: ${args.agents} simulated agents holding WatchDesiredState streams, model pump-anomaly 1.0.0 (the shipped ONNX file), one batch`);
const stack = await startStack({ label: 'rollout', worker: true, streams: args.agents });
let fleet;
try {
  const engineer = await stack.login('vendor.engineer@demo-vendor.example');
  const as = async (method, route, body, headers = {}) => {
    const response = await fetch(`${stack.baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${engineer}`, ...(Buffer.isBuffer(body) ? { 'content-type': 'application/octet-stream' } : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const result = { status: response.status, body: await response.json().catch(() => undefined) };
    if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(result.body)}`);
    return result;
  };
  const modelDir = path.join(repoRoot, 'models/pump-anomaly/1.0.0');
  const card = JSON.parse(readFileSync(path.join(modelDir, 'card.json'), 'utf8'));
  const model = (await as('POST', '/v1/models', { name: 'pump-anomaly' })).body;
  await as('PUT', `/v1/models/${model.id}/versions/1.0.0`, { card });
  await as('PUT', `/v1/models/${model.id}/versions/1.0.0/artifact`, readFileSync(path.join(modelDir, 'model.onnx')));
  await as('POST', `/v1/models/${model.id}/versions/1.0.0/publish`);
  progress('model published');

  const nodes = await createFleet(stack, args.agents, { prefix: 'roll' });
  fleet = await startSimulators(stack.grpcTarget, nodes, Math.max(1, Math.min(args.procs, args.agents)));
  await fleet.all('watchDesired', {});
  let held = 0;
  await waitFor(async () => (held = await stack.metric('meridian_agent_streams', '{stream="desired_state"}')) >= args.agents, 120_000, `${args.agents} desired-state streams`, 1_000).catch((error) => console.log(`warning: ${error.message} (last seen ${held})`));
  progress(`${held} desired-state streams open`);
  await sleep(1_000);
  await fleet.all('expectDesired', { modelId: model.id, version: '1.0.0' });

  const pid = stack.controlPlane.child.pid;
  const cpuBefore = cpuSecondsOf(pid);
  const t0 = now();
  const created = await as('POST', '/v1/rollouts', {
    modelId: model.id,
    version: '1.0.0',
    selector: {},
    strategy: { canary: { percent: 100 }, pauseSeconds: 0, gate: { observeSeconds: 0, minActivationRatio: 0, minRequests: 0, maxErrorRate: 1 } },
  });
  const planMs = now() - t0;
  const received = async () => (await fleet.all('desiredReceived')).flat();
  let count = 0;
  await waitFor(async () => (count = (await received()).length) >= held, 120_000, 'all agents told', 200).catch((error) => console.log(`warning: ${error.message} (${count} told)`));
  const times = (await received()).map((t) => t - t0);
  const stats = summarize(times);
  figure('rollout targets', created.body.totalNodes ?? created.body.counts?.total ?? held, 'nodes');
  figure('rollout planning (POST /v1/rollouts)', planMs / 1000, 's');
  figure('planning -> desired state at 50% of agents', stats.p50 / 1000, 's');
  figure('planning -> desired state at 99% of agents', stats.p99 / 1000, 's');
  figure('planning + fan-out to 100% of agents', stats.max / 1000, 's', `${stats.count} of ${held} agents; target < ${args.targetMs / 1000} s`);
  figure('control-plane CPU for planning + fan-out', cpuSecondsOf(pid) - cpuBefore, 's');
  const errors = (await fleet.all('status')).reduce((acc, s) => {
    for (const [code, n] of Object.entries(s.errors)) acc[code] = (acc[code] ?? 0) + n;
    return acc;
  }, {});
  figure('agent-side errors', Object.values(errors).reduce((a, b) => a + b, 0), '', JSON.stringify(errors));
} finally {
  await fleet?.close();
  await stack.close();
}
