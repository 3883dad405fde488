#!/usr/bin/env node
// Audit ingest: node-signed, hash-chained batches verified and stored through UploadAudit, beside
// a raw PostgreSQL COPY of the very same rows into the same table, in the same run.
// Batches are the edge agent's own upload size (500 records: apps/edge-agent/src/audit-uploader.ts),
// as when agents come back online with a backlog, the case where ingest rate matters.
//   node bench/audit-ingest.mjs [--agents 50] [--batches 2] [--size 500] [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuTicksOf, figure, machineCpuSeconds, parseArgs, printMachine } from './lib/common.mjs';
import { createFleet, startSimulators } from './lib/fleet.mjs';
import { startStack } from './lib/stack.mjs';

const args = parseArgs(
  { agents: 50, batches: 2, size: 500, procs: 1, replicas: 1, cpuProf: false },
  'usage: node bench/audit-ingest.mjs [--agents N] [--batches B] [--size records-per-batch] [--procs P] [--replicas R] [--cpu-prof] [--quick]\n' +
    'Each agent first uploads one batch that is not timed (its first contact: the audit source is created, the\n' +
    'control plane warms up); then its B timed batches.',
);
// --replicas: control-plane processes sharing the database, as replicas behind a gRPC load balancer;
// each simulator process talks to one of them (so at least one simulator per replica).
args.procs = Math.max(args.procs, args.replicas);
if (args.quick) Object.assign(args, { agents: 5, batches: 2, size: 50 });

printMachine();
const total = args.agents * args.batches * args.size;
console.log(`audit ingest: ${args.agents} agents uploading ${args.batches} timed batches of ${args.size} records each (${total} events) after one untimed first-contact batch each, agents in parallel, each agent's batches in order; ${args.replicas} control-plane process(es)`);
// The bench measures raw ingest capacity, so each node's audit upload quota (AGENT_AUDIT_EVENTS_PER_SECOND /
// AGENT_AUDIT_BURST_EVENTS, 2,000/s and 50,000 by default: a long run would be throttled) is set far above
// anything it uploads; the quota's own cost (one Redis call per batch) is still paid and measured.
const stack = await startStack({
  label: 'audit',
  cpuProfile: args.cpuProf,
  replicas: args.replicas,
  env: { AGENT_AUDIT_EVENTS_PER_SECOND: '10000000', AGENT_AUDIT_BURST_EVENTS: '1000000000' },
});
const controlPlanePids = stack.controlPlanes.map((process) => process.child.pid);
/** CPU ticks of every control-plane process together. */
const controlPlaneTicks = () => controlPlanePids.map(cpuTicksOf).reduce((a, b) => ({ user: a.user + b.user, system: a.system + b.system }));
let fleet;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'meridian-bench-copy-'));
try {
  const nodes = await createFleet(stack, args.agents);
  fleet = await startSimulators(stack.grpcTargets, nodes, Math.max(1, Math.min(args.procs, args.agents)));
  const prepared = (await fleet.all('prepareAudit', { count: args.agents, batches: args.batches + 1, size: args.size })).reduce((a, b) => a + b, 0) - args.agents * args.size;

  // 0. first contact, not timed into the figure: each node's first batch creates its audit source (a
  // one-off per node, on the general path) and the control plane's code gets warm, as it is in service.
  const firstContact = await fleet.all('uploadAudit', { count: args.agents, from: 0, to: 1 });
  if (firstContact.some((u) => u.failed)) throw new Error(`first-contact uploads failed: ${firstContact.flatMap((u) => u.failures).join('; ')}`);
  const firstContactMs = Math.max(...firstContact.map((u) => u.ms));
  figure('first-contact upload (one batch per agent, untimed in the ratio)', Math.round((args.agents * args.size) / (firstContactMs / 1000)), 'events/s', `${args.agents * args.size} events in ${(firstContactMs / 1000).toFixed(2)} s`);
  const seqAfterFirstContact = args.size;

  // 1. verified ingest through the control plane
  const simulatorPids = fleet.sims.map((s) => s.pid);
  const simulatorsTicks = () => simulatorPids.map(cpuTicksOf).reduce((a, b) => a + b.user + b.system, 0);
  const machineBefore = machineCpuSeconds();
  const simulatorsBefore = simulatorsTicks();
  const splitBefore = controlPlaneTicks();
  const uploads = await fleet.all('uploadAudit', { count: args.agents, from: 1 });
  const splitAfter = controlPlaneTicks();
  const simulatorsAfter = simulatorsTicks();
  const machineAfter = machineCpuSeconds();
  const cpuIngest = (splitAfter.user + splitAfter.system - splitBefore.user - splitBefore.system) / 100;
  const ingestMs = Math.max(...uploads.map((u) => u.ms));
  const failed = uploads.reduce((a, u) => a + u.failed, 0);
  if (failed) console.log(`upload failures: ${failed}: ${uploads.flatMap((u) => u.failures).join('; ')}`);
  const stored = await stack.owner.auditEvent.count({ where: { sourceId: { in: nodes.map((n) => n.nodeId) }, seq: { gt: seqAfterFirstContact } } });
  const ingestRate = stored / (ingestMs / 1000);
  figure('events stored via UploadAudit', stored, '', `of ${prepared} sent`);
  figure('UploadAudit ingest (verified + stored)', Math.round(ingestRate), 'events/s', `${(ingestMs / 1000).toFixed(2)} s`);
  figure('control-plane CPU per 1000 events ingested', (1000 * cpuIngest) / Math.max(1, stored), 's', 'less sensitive to other load than the rate');
  const perEvent = (ticks) => (1e6 * ticks) / 100 / Math.max(1, stored);
  const machineBusy = machineAfter.busy - machineBefore.busy;
  const controlPlaneSeconds = cpuIngest;
  const simulatorSeconds = (simulatorsAfter - simulatorsBefore) / 100;
  figure(
    'CPU during the timed ingest',
    `machine ${Math.round((100 * machineBusy) / (machineAfter.total - machineBefore.total))} % busy`,
    '',
    `control plane ${controlPlaneSeconds.toFixed(2)} s, simulators ${simulatorSeconds.toFixed(2)} s, everything else (PostgreSQL, …) ${(machineBusy - controlPlaneSeconds - simulatorSeconds).toFixed(2)} s`,
  );
  figure('control-plane CPU per event ingested', Math.round(perEvent(splitAfter.user + splitAfter.system - splitBefore.user - splitBefore.system)), 'us', `user ${Math.round(perEvent(splitAfter.user - splitBefore.user))} us, system ${Math.round(perEvent(splitAfter.system - splitBefore.system))} us`);

  // 2. the same rows, COPYed raw into the same table (other source ids, so they do not collide)
  const csv = path.join(scratch, 'rows.csv');
  const psql = (command) => {
    const result = spawnSync('psql', [stack.db.ownerUrl, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-c', '\\timing on', '-c', command], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout;
  };
  const columns = 'tenant_id, source_id, seq, prev_hash, hash, body, type, actor, site_id, category, decision, occurred_at';
  psql(`\\copy (SELECT tenant_id, 'copy:' || source_id, seq, prev_hash, hash, body, type, actor, site_id, category, decision, occurred_at FROM audit_events WHERE source_id <> 'control-plane' AND seq > ${seqAfterFirstContact}) TO '${csv}' WITH (FORMAT csv)`);
  const out = psql(`\\copy audit_events (${columns}) FROM '${csv}' WITH (FORMAT csv)`);
  const copyMs = Number(/Time: ([\d.]+) ms/.exec(out)?.[1] ?? NaN);
  const copied = await stack.owner.auditEvent.count({ where: { sourceId: { startsWith: 'copy:' } } });
  const copyRate = copied / (copyMs / 1000);
  figure('raw COPY of the same rows into audit_events', Math.round(copyRate), 'rows/s', `${copied} rows in ${copyMs.toFixed(0)} ms`);
  figure('ingest / raw COPY', ingestRate / copyRate, '', 'target >= 0.5');
  if (args.cpuProf) await stack.printProfile();
} finally {
  await fleet?.close();
  await stack.close();
  rmSync(scratch, { recursive: true, force: true });
}
