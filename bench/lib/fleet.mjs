// A fleet of simulated agents: real Ed25519 node keys registered as enrollment leaves them, and
// simulator processes (bench/lib/sim-worker.mjs) that each hold many real gRPC agent sessions.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { generateEd25519KeyPair } = require('@meridian/crypto');
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Registers `count` nodes spread over the tenant's sites, each with its own freshly generated
 * Ed25519 key, in the state a successful Enroll leaves them (online, public key stored). Going
 * through Enroll one by one would measure enrollment, which is not what these figures are about.
 */
export async function createFleet(stack, count, { prefix = 'sim' } = {}) {
  const sites = Object.entries(stack.siteIds);
  const nodes = [];
  for (let i = 0; i < count; i += 1) {
    const keys = generateEd25519KeyPair();
    const [country, siteId] = sites[i % sites.length];
    nodes.push({ nodeId: randomUUID(), siteId, country, name: `${prefix}-${country.toLowerCase()}-${i}`, publicKey: keys.publicKey.toString('base64'), privateKeyPem: keys.privateKeyPem });
  }
  for (let i = 0; i < nodes.length; i += 1000) {
    const slice = nodes.slice(i, i + 1000);
    await stack.owner.edgeNode.createMany({
      data: slice.map((n) => ({
        id: n.nodeId,
        tenantId: stack.tenantId,
        siteId: n.siteId,
        name: n.name,
        labels: { line: 'bench' },
        status: 'online',
        publicKey: n.publicKey,
        agentVersion: 'bench-sim',
        enrolledAt: new Date(),
        lastSeenAt: new Date(),
      })),
    });
  }
  // A fleet that has been there a while has planner statistics (autovacuum analyzes a table soon
  // after it grows); without them, reads right after this bulk insert are planned blind.
  await stack.owner.$executeRawUnsafe('ANALYZE edge_nodes');
  return nodes;
}

/**
 * Starts `processes` simulator processes and deals the nodes out among them. Each simulated agent
 * has its own HTTP/2 connection (a local subchannel pool), as separate machines would.
 */
/** `target`: one gRPC address, or several (replicas): simulator p connects its agents to target p modulo their number. */
export async function startSimulators(target, nodes, processes) {
  const targets = Array.isArray(target) ? target : [target];
  const sims = [];
  const per = Math.ceil(nodes.length / processes);
  for (let p = 0; p < processes; p += 1) {
    const slice = nodes.slice(p * per, (p + 1) * per);
    if (slice.length === 0) break;
    // BENCH_SIM_PROFILE_DIR=dir: each simulator runs under --cpu-prof and writes its profile there when closed
    const profileDir = process.env.BENCH_SIM_PROFILE_DIR;
    const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const child = fork(path.join(here, 'sim-worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', execArgv });
    const pending = new Map();
    let sequence = 0;
    child.on('message', (message) => {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const request = (command, args = {}) =>
      new Promise((resolve, reject) => {
        const id = (sequence += 1);
        pending.set(id, { resolve, reject });
        child.send({ id, command, ...args });
        void exited.then(() => pending.has(id) && reject(new Error(`simulator ${p} exited during ${command}`)));
      });
    await request('init', { target: targets[p % targets.length], nodes: slice.map(({ nodeId, privateKeyPem }) => ({ nodeId, privateKeyPem })) });
    sims.push({ child, request, exited, pid: child.pid, size: slice.length });
  }
  const all = (command, args) => Promise.all(sims.map((s) => s.request(command, args)));
  return {
    sims,
    all,
    async close() {
      await Promise.all(sims.map((s) => s.request('close').catch(() => undefined)));
      if (process.env.BENCH_SIM_PROFILE_DIR) {
        // a clean exit, so that --cpu-prof writes the profile
        for (const s of sims) s.child.disconnect();
        await Promise.race([Promise.all(sims.map((s) => s.exited)), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      }
      for (const s of sims) s.child.kill('SIGKILL');
    },
  };
}
