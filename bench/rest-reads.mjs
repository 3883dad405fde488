#!/usr/bin/env node
// Tenant-scoped REST reads under a fixed arrival rate (open loop: requests leave on schedule whether
// or not earlier ones have finished, and latency counts from the scheduled moment, so a stall is
// not hidden by the generator slowing down).
//   node bench/rest-reads.mjs [--rate 1000] [--seconds 20] [--nodes 2000] [--only <kind>] [--quick]
// --only runs one kind of request of the mix (node-page, node, integrator-page, integrator-node, sites),
// to see what each one costs.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, figure, parseArgs, printMachine, sleep, summarize } from './lib/common.mjs';
import { createFleet } from './lib/fleet.mjs';
import { startStack } from './lib/stack.mjs';

const args = parseArgs({ rate: 1000, seconds: 20, nodes: 2000, warmupSeconds: 3, cpuProf: false, only: '' }, 'usage: node bench/rest-reads.mjs [--rate req/s] [--seconds S] [--nodes N] [--only node-page|node|integrator-page|integrator-node|sites] [--cpu-prof] [--quick]');
if (args.quick) Object.assign(args, { rate: 200, seconds: 3, nodes: 100, warmupSeconds: 1 });

printMachine();
const stack = await startStack({ label: 'rest', cpuProfile: args.cpuProf });
try {
  const nodes = await createFleet(stack, args.nodes, { prefix: 'rest' });
  // Two kinds of caller: vendor staff (whole tenant) and a site's integrator (RLS + site scope).
  const vendor = await stack.login('vendor.engineer@demo-vendor.example');
  const integrator = await stack.login('integrator.admin@nusantara.example');
  const idNodes = nodes.filter((n) => n.country === 'ID');
  const mix = [
    { kind: 'node-page', token: vendor, path: () => '/v1/nodes?limit=50' },
    { kind: 'node', token: vendor, path: (i) => `/v1/nodes/${nodes[i % nodes.length].nodeId}` },
    { kind: 'integrator-page', token: integrator, path: () => '/v1/nodes?limit=20&status=online' },
    { kind: 'integrator-node', token: integrator, path: (i) => `/v1/nodes/${idNodes[i % idNodes.length].nodeId}` },
    { kind: 'sites', token: vendor, path: () => '/v1/sites' },
  ];
  const requests = args.only ? mix.filter((r) => r.kind === args.only) : mix;
  if (requests.length === 0) throw new Error(`--only: no request kind "${args.only}" (${mix.map((r) => r.kind).join(', ')})`);
  console.log(`rest reads: ${args.rate} req/s for ${args.seconds} s (after ${args.warmupSeconds} s warm-up), ${nodes.length} nodes in the tenant; mix: ${requests.map((r) => r.path(0).replace(/[0-9a-f-]{36}/, ':id')).join(', ')}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const send = (i) =>
    new Promise((resolve) => {
      const kind = requests[i % requests.length];
      const req = http.request({ host: '127.0.0.1', port: stack.httpPort, path: kind.path(i), agent, headers: { authorization: `Bearer ${kind.token}` } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0));
      req.end();
    });

  const run = async (seconds, rate) => {
    const total = Math.round(seconds * rate);
    const latencies = new Float64Array(total);
    const statuses = new Map();
    let sent = 0;
    let done = 0;
    const start = performance.now();
    await new Promise((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
        for (; sent < due; sent += 1) {
          const index = sent;
          const scheduled = start + (index * 1000) / rate;
          void send(index).then((status) => {
            latencies[index] = performance.now() - scheduled;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            done += 1;
            if (done === total) resolve();
          });
        }
        if (sent < total) setTimeout(tick, 1);
      };
      tick();
    });
    return { latencies: [...latencies], statuses, wallSeconds: (performance.now() - start) / 1000 };
  };

  await run(args.warmupSeconds, args.rate);
  await sleep(500);
  const pid = stack.controlPlane.child.pid;
  const cpuBefore = cpuSecondsOf(pid);
  const databaseBefore = await stack.databaseCpuSeconds();
  const result = await run(args.seconds, args.rate);
  const cpu = cpuSecondsOf(pid) - cpuBefore;
  const databaseCpu = (await stack.databaseCpuSeconds()) - databaseBefore;
  const stats = summarize(result.latencies);
  const ok = result.statuses.get(200) ?? 0;
  figure('requests answered 200', ok, '', `of ${result.latencies.length}; statuses ${JSON.stringify(Object.fromEntries(result.statuses))}`);
  figure('achieved rate', result.latencies.length / result.wallSeconds, 'req/s', `target ${args.rate}`);
  figure('REST read latency p50', stats.p50, 'ms');
  figure('REST read latency p99', stats.p99, 'ms', 'target < 25 ms');
  figure('REST read latency max', stats.max, 'ms');
  figure('control-plane CPU per request', (1000 * cpu) / result.latencies.length, 'ms');
  figure('PostgreSQL CPU per request', (1000 * databaseCpu) / result.latencies.length, 'ms', 'backends of the bench database');
  agent.destroy();
  if (args.cpuProf) await stack.printProfile();
} finally {
  await stack.close();
}
