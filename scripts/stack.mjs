// `npm start`: the whole local stack on this machine's PostgreSQL and Redis (or DATABASE_URL /
// REDIS_URL): build, migrate, seed the demo tenant, then run every process with prefixed output.
// Flags (after `npm start --`): --skip-build, --no-seed, --no-agents, --help.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSession } from './lib/demo.mjs';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensureDatabase, ensurePostgres, ensureRedis, runOrExplain } from './lib/services.mjs';

const USAGE = `usage: npm start [-- options]   (or: node scripts/stack.mjs [options])

Builds (tsc -b and the portal), applies migrations, seeds the demo tenant, then runs the control
plane (which serves the built portal), the worker, the portal's dev server (hot reload) and two demo
edge agents (ID and CL plants) until Ctrl-C. PostgreSQL and Redis come from DATABASE_URL
and REDIS_URL (default: the local ones, started if they are down; the database is created if missing).

options:
  --skip-build   use the existing dist/ output
  --no-seed      do not (re)seed the demo tenant
  --no-agents    do not start the demo edge agents
  --help         this text`;

const FLAGS = new Set(['--skip-build', '--no-seed', '--no-agents', '--help', '-h']);
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => !FLAGS.has(arg));
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(' ')}\n\n${USAGE}`);
  process.exit(2);
}
if (args.has('--help') || args.has('-h')) {
  console.log(USAGE);
  process.exit(0);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
};
const httpPort = Number(env.HTTP_PORT ?? 3000);
const portalDevPort = Number(env.PORTAL_DEV_PORT ?? 5173);
const grpcPort = Number(env.GRPC_PORT ?? 50051);
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

function fail(message, code = 1) {
  console.error(`\n✖ ${message}`);
  process.exit(code);
}

function step(label, command, commandArgs, options = {}) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (result.status !== 0) fail(`${label} failed (exit ${result.status ?? result.signal})${options.hint ? `\n  ${options.hint}` : ''}`, result.status || 1);
  return result.stdout ?? '';
}

// ── 1. Services, database, build, migrations, seed ────────────────────────────────────────────
console.log('▶ PostgreSQL and Redis');
await runOrExplain(async () => {
  await ensurePostgres(env.DATABASE_URL);
  await ensureRedis(env.REDIS_URL);
  await ensureDatabase(env.DATABASE_URL);
});
if (!args.has('--skip-build')) step('build (tsc -b, portal)', 'npm', ['run', '--silent', 'build'], { hint: 'fix the type errors above (or run with --skip-build to use the existing dist/)' });
step('migrate', process.execPath, ['tools/prisma-migrate/run.mjs', 'deploy']);
let seedSummary = '';
if (!args.has('--no-seed')) {
  seedSummary = step('seed demo tenant', process.execPath, ['libs/db/dist/seed/main.js'], { capture: true });
  process.stdout.write(seedSummary);
}

// ── 2. Long-running processes ─────────────────────────────────────────────────────────────────
// Every process of the stack started up front; the demo agents (below) start once the API is
// ready, because they enroll with tokens minted through it. The portal's dev server is optional:
// if it cannot start (its port is taken), the built portal on the control plane still works.
const processes = [
  { name: 'control-plane', entry: 'apps/control-plane/dist/main.js', env: {} },
  { name: 'worker', entry: 'apps/worker/dist/main.js', env: {} },
  {
    name: 'portal-dev',
    entry: 'node_modules/vite/bin/vite.js',
    args: ['apps/portal', '--port', String(portalDevPort), '--strictPort', '--clearScreen', 'false'],
    env: { MERIDIAN_API_URL: `http://127.0.0.1:${httpPort}` },
    optional: true,
  },
];
const missing = processes.filter((spec) => !existsSync(path.join(root, spec.entry)));
if (missing.length > 0) {
  fail(`${missing.map((spec) => spec.entry).join(', ')} not found: the build did not produce ${missing.length > 1 ? 'them' : 'it'}${args.has('--skip-build') ? ' (run without --skip-build)' : ''}`);
}

const children = new Map();
let stopping = false;

function prefixLines(name, stream, target) {
  const prefix = `${name.padEnd(14)}| `;
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) target.write(`${prefix}${line}\n`);
  });
  stream.on('end', () => {
    if (buffer) target.write(`${prefix}${buffer}\n`);
    buffer = '';
  });
}

const running = () => [...children.values()].filter((child) => child.exitCode === null && child.signalCode === null);

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  if (running().length > 0) console.error(`\n■ stopping ${running().map((child) => child.meridianName).join(', ')}`);
  for (const child of running()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of running()) {
      console.error(`✖ ${child.meridianName} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
    }
    process.exit(code || 1);
  }, STOP_TIMEOUT_MS);
  force.unref();
  const check = setInterval(() => {
    if (running().length === 0) {
      clearInterval(check);
      process.exit(code);
    }
  }, 100);
}

function startProcess(spec) {
  if (stopping) return;
  // detached: own process group, so a terminal's Ctrl-C reaches only this script, which then sends
  // each child exactly one SIGTERM (and waits for it).
  const child = spawn(process.execPath, [spec.entry, ...(spec.args ?? [])], { cwd: root, env: { ...env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.meridianName = spec.name;
  children.set(spec.name, child);
  prefixLines(spec.name, child.stdout, process.stdout);
  prefixLines(spec.name, child.stderr, process.stderr);
  child.on('error', (error) => {
    if (stopping) return;
    console.error(`✖ ${spec.name} could not be started: ${error.message}; stopping the stack`);
    stopAll(1);
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    if (spec.optional) {
      console.error(`! ${spec.name} exited (code ${code}, signal ${signal}); the rest of the stack keeps running`);
      return;
    }
    console.error(`✖ ${spec.name} exited unexpectedly (code ${code}, signal ${signal}); stopping the stack`);
    stopAll(1);
  });
}

console.log('\n▶ starting processes');
for (const spec of processes) startProcess(spec);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stopAll(0));
// Children are detached: if this script dies some other way, do not leave them behind.
process.on('exit', () => {
  for (const child of running()) child.kill('SIGTERM');
});

// ── 3. Ready: demo agents, banner ─────────────────────────────────────────────────────────────
const readyUrl = `http://127.0.0.1:${httpPort}/readyz`;
let ready = false;
const deadline = Date.now() + READY_TIMEOUT_MS;
while (!stopping && Date.now() < deadline) {
  try {
    const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
    if (response.status === 200) {
      ready = true;
      break;
    }
  } catch {
    // not up yet
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
}
if (!ready) {
  if (!stopping) {
    console.error(`\n✖ ${readyUrl} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (see the control-plane output above)`);
    stopAll(1);
  }
} else {
  // One demo admin session serves the agents' enrollment and the models' publication (one login, not two).
  let demo;
  const demoAdmin = () => (demo ??= demoSession(`http://127.0.0.1:${httpPort}`));
  // Demo edge agents, one per demo plant, enrolled on first start with tokens the demo vendor admin
  // creates; later starts reuse their identity in .data/agents/<country>.
  const demoAgents = [
    { country: 'ID', name: 'gw-cikarang-1', port: 7071 },
    { country: 'CL', name: 'gw-antofagasta-1', port: 7072 },
  ];
  const agentEntry = 'apps/edge-agent/dist/main.js';
  let agentsStarted = false;
  if (!args.has('--no-agents')) {
    try {
      if (!existsSync(path.join(root, agentEntry))) throw new Error(`${agentEntry} not found`);
      await startDemoAgents(await demoAdmin(), demoAgents, agentEntry);
      agentsStarted = true;
    } catch (error) {
      console.error(`✖ demo agents not started: ${error.message}`);
    }
  }
  if (!args.has('--no-seed') && !stopping) {
    try {
      const published = await (await demoAdmin()).publishShippedModels(root);
      if (published.length) console.log(`✔ demo models published with meridian models push: ${published.join(', ')}`);
    } catch (error) {
      console.error(`✖ demo models not published: ${error.message}`);
    }
  }
  if (!stopping) printBanner(agentsStarted ? demoAgents : []);
}

async function startDemoAgents(session, demoAgents, entry) {
  // Publish the saved policies (the seeded examples on a fresh database); unchanged sites get no new version.
  await session.publishPolicies();
  for (const agent of demoAgents) {
    const dataDir = path.join(root, '.data/agents', agent.country.toLowerCase());
    const identityFile = path.join(dataDir, 'identity.json');
    let token;
    if (existsSync(identityFile)) {
      const { nodeId } = JSON.parse(readFileSync(identityFile, 'utf8'));
      const known = await session.call('GET', `/v1/nodes/${nodeId}`);
      if (!known.ok || known.body.status === 'revoked') rmSync(dataDir, { recursive: true, force: true }); // the database was reset: enroll afresh
    }
    if (!existsSync(identityFile)) token = await session.enrollmentToken(agent.country);
    startProcess({
      name: `agent-${agent.country.toLowerCase()}`,
      entry,
      env: {
        MERIDIAN_CONTROL_PLANE: `127.0.0.1:${grpcPort}`,
        MERIDIAN_DATA_DIR: dataDir,
        MERIDIAN_NODE_NAME: agent.name,
        MERIDIAN_LOCAL_API_PORT: String(agent.port),
        ...(token ? { MERIDIAN_ENROLLMENT_TOKEN: token } : {}),
      },
    });
  }
}

function printBanner(agents) {
  const base = `http://localhost:${httpPort}`;
  const logins = seedSummary
    ? seedSummary.trimEnd().split('\n').map((line) => ` ${line}`)
    : [' Demo logins: not re-seeded (--no-seed); see the README (password meridian-demo).'];
  console.log(
    [
      '',
      '──────────────────────────────────────────────────────────────',
      ' Meridian is running',
      `   Portal         ${base}/   (dev server with hot reload: http://localhost:${portalDevPort}/)`,
      `   API            ${base}/v1`,
      `   API docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
      `   Metrics        ${base}/metrics`,
      `   Health         ${base}/healthz, ${base}/readyz`,
      `   Agent gRPC     127.0.0.1:${grpcPort}`,
      ...agents.map((a) => `   Demo agent ${a.country}  http://127.0.0.1:${a.port}/v1/status`),
      ' Log in to the portal (or POST /v1/auth/login {"email": ..., "password": ...}):',
      ...logins,
      ' Ctrl-C stops everything.',
      '──────────────────────────────────────────────────────────────',
    ].join('\n'),
  );
}
