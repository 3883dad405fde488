#!/usr/bin/env node
// Fleet scale on one control-plane process: how many policy streams it holds and what each
// costs in memory, then how fast a policy publish is acknowledged by every agent.
//   node bench/fleet.mjs [--agents 10000] [--procs 2] [--cpu-prof] [--legacy-acks] [--quick]
// Agents speak PolicyChannel (acknowledgements on the stream); --legacy-acks makes them speak
// WatchPolicy + a signed AckPolicy call per bundle, as agents before PolicyChannel did.
// "Acknowledged" is when the control plane recorded the node's acknowledgement in PostgreSQL
// (edge_nodes.policy_applied_at, written with clock_timestamp()), on either protocol.
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { cpuSecondsOf, figure, machineCpuSeconds, parseArgs, printMachine, rssOf, sleep, summarize, waitFor } from './lib/common.mjs';
import { createFleet, startSimulators } from './lib/fleet.mjs';
import { monotonicMicros, startStack } from './lib/stack.mjs';

const args = parseArgs(
  { agents: 10_000, procs: 2, cpuProf: false, ackTargetMs: 2_000, legacyAcks: false },
  'usage: node bench/fleet.mjs [--agents N] [--procs P] [--cpu-prof] [--ack-target-ms MS] [--legacy-acks] [--quick]',
);
if (args.quick) args.agents = Math.min(args.agents, 200);
const now = () => performance.timeOrigin + performance.now();
const started = now();
const progress = (what) => process.stderr.write(`[${((now() - started) / 1000).toFixed(1)} s] ${what}\n`);

printMachine();
console.log(`fleet: ${args.agents} simulated agents in ${args.procs} simulator process(es), one control-plane process, worker for bundle compilation`);
console.log(`protocol: ${args.legacyAcks ? 'WatchPolicy + AckPolicy (one signed call per acknowledgement)' : 'PolicyChannel (acknowledgements on the stream)'}`);
/** The publish, from the request to the last acknowledgement recorded: the part of a --cpu-prof run the publish figures come from. */
const publishWindow = { from: 0, to: 0 };
const stack = await startStack({ label: 'fleet', worker: true, streams: args.agents, cpuProfile: args.cpuProf });
let fleet;
try {
  // The seeded policies published once, so agents connect to a site that has a bundle (as in production).
  const first = await stack.api('POST', '/v1/policies/publish', {});
  if (first.status !== 202) throw new Error(`publish: ${first.status} ${JSON.stringify(first.body)}`);
  await waitFor(async () => (await stack.owner.policyBundle.count()) >= Object.keys(stack.siteIds).length, 30_000, 'initial bundles');

  progress('initial bundles compiled');
  const nodes = await createFleet(stack, args.agents);
  progress(`${nodes.length} nodes registered`);
  await sleep(1_000);
  const pid = stack.controlPlane.child.pid;
  const rssBefore = rssOf(pid);
  const cpuBefore = cpuSecondsOf(pid);

  // 1. streams
  fleet = await startSimulators(stack.grpcTarget, nodes, Math.max(1, Math.min(args.procs, args.agents)));
  progress('simulators started');
  const openStarted = now();
  const connected = (await fleet.all('watch', { currentVersion: 0, legacy: args.legacyAcks })).reduce((a, b) => a + b, 0);
  progress(`${connected} agents connected`);
  const streamsOpen = () => stack.metric('meridian_agent_streams', '{stream="policy"}');
  let held = 0;
  await waitFor(async () => (held = await streamsOpen()) >= args.agents, 120_000, `${args.agents} streams open`, 1_000).catch((error) => console.log(`warning: ${error.message} (last seen ${held})`));
  const openMs = now() - openStarted;
  progress(`${held} streams open`);
  // every agent has received and acknowledged the bundle it connected to, and the control plane recorded it
  const recordedSince = (at) => stack.owner.edgeNode.count({ where: { policyAppliedAt: { gte: new Date(at) } } });
  await waitFor(async () => (await recordedSince(openStarted)) >= held, 120_000, 'connect acknowledgements', 500).catch((error) => console.log(`warning: ${error.message}`));
  await sleep(2_000);
  const rssAfter = rssOf(pid);
  const cpuOpen = cpuSecondsOf(pid) - cpuBefore;
  figure('streams held by one control-plane process', held, 'streams', `target ${args.agents}`);
  figure('time to open all streams (incl. auth + catch-up bundle)', openMs / 1000, 's', `${Math.round(held / (openMs / 1000))} streams/s`);
  figure('control-plane RSS before streams', rssBefore / 2 ** 20, 'MiB');
  figure('control-plane RSS with streams', rssAfter / 2 ** 20, 'MiB');
  figure('memory per stream', (rssAfter - rssBefore) / Math.max(1, held) / 1024, 'KiB', 'RSS delta / streams, incl. its HTTP/2 connection');
  figure('control-plane CPU to open streams', cpuOpen, 's');

  // 2. publish -> acknowledged by every agent
  const base = await stack.api('GET', '/v1/policies/base/versions');
  const document = structuredClone(base.body.items[0].document);
  document.categories.equipment_telemetry.retentionDays = (document.categories.equipment_telemetry.retentionDays % 300) + 1;
  const saved = await stack.api('PUT', '/v1/policies/base', { document, comment: 'bench: publish to the fleet' });
  if (saved.status !== 200) throw new Error(`save policy: ${saved.status} ${JSON.stringify(saved.body)}`);
  progress('connect acknowledgements in');
  await fleet.all('mark');
  // When the worker announces each compiled bundle (the same Redis channel the control plane listens on).
  const announcements = [];
  const listener = new Redis(stack.redisUrl);
  listener.on('message', () => announcements.push(now()));
  await listener.subscribe(`${stack.queuePrefix}:events:policy-bundle`);
  const processes = { 'control plane': pid, worker: stack.worker.child.pid, ...Object.fromEntries(fleet.sims.map((s, i) => [`simulator ${i + 1}`, s.pid])) };
  const cpuOf = () => Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, cpuSecondsOf(p)]));
  const processCpuBefore = cpuOf();
  const machineBefore = machineCpuSeconds();
  const databaseBefore = await stack.databaseCpuSeconds();
  const cpuBeforePublish = cpuSecondsOf(pid);
  const publishedAt = now();
  publishWindow.from = monotonicMicros();
  const published = await stack.api('POST', '/v1/policies/publish', {});
  if (published.status !== 202) throw new Error(`publish: ${published.status}`);
  const collect = async () => (await fleet.all('collect')).flat();
  await waitFor(async () => (await recordedSince(publishedAt)) >= held, 60_000, 'all acknowledgements', 100).catch((error) => console.log(`warning: ${error.message}`));
  publishWindow.to = monotonicMicros();
  const publishEnd = now();
  const processCpu = cpuOf();
  const machineAfter = machineCpuSeconds();
  const databaseCpu = (await stack.databaseCpuSeconds()) - databaseBefore;
  await listener.quit();
  const entries = await collect();
  const recorded = new Map(
    (await stack.owner.edgeNode.findMany({ where: { policyAppliedAt: { gte: new Date(publishedAt) } }, select: { id: true, policyAppliedAt: true } })).map((n) => [n.id, n.policyAppliedAt.getTime()]),
  );
  const acked = [...recorded.values()].map((at) => at - publishedAt);
  const deliveries = entries.map((e) => e.receivedAt - publishedAt);
  const ack = summarize(acked);
  const delivered = summarize(deliveries);
  const within = acked.filter((ms) => ms <= args.ackTargetMs).length;
  figure('publish -> bundle delivered p50', delivered.p50, 'ms');
  figure('publish -> bundle delivered p99', delivered.p99, 'ms');
  figure('publish -> acknowledged p50', ack.p50, 'ms');
  figure('publish -> acknowledged p99', ack.p99, 'ms');
  figure('publish -> acknowledged by 100%', ack.max, 'ms', `${ack.count} of ${held} acknowledged`);
  figure(`agents acknowledged within ${args.ackTargetMs} ms`, (100 * within) / Math.max(1, held), '%', 'target 99%');
  figure('control-plane CPU for the publish', cpuSecondsOf(pid) - cpuBeforePublish, 's');
  // Where the time goes: worker (job pickup, compile, sign, commit) until the announcement, then the
  // pushes reaching the agents, then each agent's acknowledgement until it is recorded.
  const ms = (t) => t - publishedAt;
  if (announcements.length) figure('phase: publish -> bundles announced by the worker (first / last)', `${ms(Math.min(...announcements)).toFixed(0)} / ${ms(Math.max(...announcements)).toFixed(0)}`, 'ms', `${announcements.length} site bundles`);
  // the control plane logs each push with the time it took to write it to every stream (info level: BENCH_LOG_LEVEL=info)
  const pushes = stack.controlPlane.lines.filter((line) => line.includes('policy bundle pushed')).flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
  const lastPushes = pushes.slice(-announcements.length);
  if (announcements.length && lastPushes.length === announcements.length) figure('phase: announcement -> written to every stream of the site (control plane)', lastPushes.map((p) => `${p.writeMs} ms (${p.streams} streams)`).join(', '));
  const ok = entries.filter((e) => e.ok);
  if (ok.length) {
    figure('phase: publish -> first / last bundle received', `${Math.min(...deliveries).toFixed(0)} / ${Math.max(...deliveries).toFixed(0)}`, 'ms');
    const queued = summarize(ok.map((e) => e.sentAt - e.receivedAt));
    const stored = summarize(ok.filter((e) => recorded.has(e.nodeId)).map((e) => recorded.get(e.nodeId) - e.sentAt));
    figure('phase: bundle received -> ack sent (simulator) p50 / p99', `${queued.p50.toFixed(0)} / ${queued.p99.toFixed(0)}`, 'ms');
    figure('phase: ack sent -> recorded in PostgreSQL p50 / p99', `${stored.p50.toFixed(0)} / ${stored.p99.toFixed(0)}`, 'ms');
    if (args.legacyAcks) {
      const answered = summarize(ok.map((e) => e.ackedAt - e.sentAt));
      figure('phase: ack sent -> answered (AckPolicy) p50 / p99', `${answered.p50.toFixed(0)} / ${answered.p99.toFixed(0)}`, 'ms');
    }
    figure('phase: publish -> last ack sent', Math.max(...ok.map((e) => ms(e.sentAt))), 'ms');
  }
  const window = (publishEnd - publishedAt) / 1000;
  for (const [name, before] of Object.entries(processCpuBefore)) {
    const used = processCpu[name] - before;
    figure(`CPU during the publish: ${name}`, used, 's', `${((1000 * used) / Math.max(1, held)).toFixed(3)} ms per agent, ${((100 * used) / window).toFixed(0)} % of a core over ${window.toFixed(1)} s`);
  }
  figure('CPU during the publish: PostgreSQL', databaseCpu, 's', `backends of the bench database (this script's own polling included), ${((100 * databaseCpu) / window).toFixed(0)} % of a core`);
  const busy = machineAfter.busy - machineBefore.busy;
  figure('CPU during the publish: whole machine (all processes)', busy, 's', `${((100 * busy) / (machineAfter.total - machineBefore.total)).toFixed(0)} % of the machine busy`);
  const status = await fleet.all('status');
  const errors = status.reduce((acc, s) => {
    for (const [code, n] of Object.entries(s.errors)) acc[code] = (acc[code] ?? 0) + n;
    return acc;
  }, {});
  figure('agent-side errors', Object.values(errors).reduce((a, b) => a + b, 0), '', JSON.stringify(errors));
  figure('control-plane RSS at end', rssOf(pid) / 2 ** 20, 'MiB');
  console.log(`load(1m) at end: ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
  if (args.cpuProf) {
    await fleet.close();
    fleet = undefined;
    await stack.printProfile(publishWindow.to ? { 'publish -> every acknowledgement recorded': publishWindow } : {});
  }
} finally {
  await fleet?.close();
  await stack.close();
}
