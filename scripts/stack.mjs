// `npm start`: the whole local stack on this machine's PostgreSQL and Redis (or DATABASE_URL /
// REDIS_URL): build, migrate, seed the demo tenant, then run every process with prefixed output.
// Flags: --skip-build, --no-seed, --no-agents.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSession } from './lib/demo.mjs';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensureDatabase, ensurePostgres, ensureRedis } from './lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
};
const httpPort = Number(env.HTTP_PORT ?? 3000);

function step(label, command, commandArgs, options = {}) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`✖ ${label} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  return result.stdout ?? '';
}

await ensurePostgres(env.DATABASE_URL);
await ensureRedis(env.REDIS_URL);
await ensureDatabase(env.DATABASE_URL);
if (!args.has('--skip-build')) step('build', 'npm', ['run', '--silent', 'build']);
step('migrate', process.execPath, ['tools/prisma-migrate/run.mjs', 'deploy']);
let seedSummary = '';
if (!args.has('--no-seed')) {
  seedSummary = step('seed demo tenant', process.execPath, ['libs/db/dist/seed/main.js'], { capture: true });
  process.stdout.write(seedSummary);
}

// Every long-running process of the stack. The portal and demo agents join this list.
const processes = [
  { name: 'control-plane', entry: 'apps/control-plane/dist/main.js', env: {} },
  { name: 'worker', entry: 'apps/worker/dist/main.js', env: {} },
];

const children = new Map();
let stopping = false;

function prefixLines(name, stream, target) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) target.write(`${name.padEnd(14)}| ${line}\n`);
  });
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 15_000);
  force.unref();
  const check = setInterval(() => {
    if ([...children.values()].every((child) => child.exitCode !== null || child.signalCode !== null)) {
      clearInterval(check);
      process.exit(code);
    }
  }, 100);
}

function startProcess(spec) {
  const child = spawn(process.execPath, [spec.entry], { cwd: root, env: { ...env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(spec.name, child);
  prefixLines(spec.name, child.stdout, process.stdout);
  prefixLines(spec.name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`✖ ${spec.name} exited unexpectedly (code ${code}, signal ${signal}); stopping the stack`);
    stopAll(1);
  });
}
for (const spec of processes) startProcess(spec);
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

// Banner once the API answers /readyz.
const deadline = Date.now() + 60_000;
while (!stopping && Date.now() < deadline) {
  try {
    const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    if (response.ok) break;
  } catch {
    // not up yet
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
}
// Demo edge agents, one per demo plant, enrolled on first start with tokens the demo vendor admin
// creates; later starts reuse their identity in .data/agents/<country>.
const demoAgents = [
  { country: 'ID', name: 'gw-cikarang-1', port: 7071 },
  { country: 'CL', name: 'gw-antofagasta-1', port: 7072 },
];
if (!stopping && !args.has('--no-agents')) {
  try {
    await startDemoAgents();
  } catch (error) {
    console.error(`✖ demo agents not started: ${error.message}`);
  }
}

async function startDemoAgents() {
  const base = `http://127.0.0.1:${httpPort}`;
  const session = await demoSession(base);
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
      entry: 'apps/edge-agent/dist/main.js',
      env: {
        MERIDIAN_CONTROL_PLANE: `127.0.0.1:${env.GRPC_PORT ?? 50051}`,
        MERIDIAN_DATA_DIR: dataDir,
        MERIDIAN_NODE_NAME: agent.name,
        MERIDIAN_LOCAL_API_PORT: String(agent.port),
        MERIDIAN_ENROLLMENT_TOKEN: token,
      },
    });
  }
}

if (!stopping) {
  const base = `http://localhost:${httpPort}`;
  console.log(
    [
      '',
      '──────────────────────────────────────────────────────────────',
      ' Meridian is running',
      `   API            ${base}/v1`,
      `   API docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
      `   Metrics        ${base}/metrics`,
      `   Agent gRPC     127.0.0.1:${env.GRPC_PORT ?? 50051}`,
      ...(args.has('--no-agents') ? [] : demoAgents.map((a) => `   Demo agent ${a.country}  http://127.0.0.1:${a.port}/v1/status`)),
      ' Log in: POST /v1/auth/login {"email": ..., "password": ...}',
      seedSummary ? seedSummary.trimEnd().split('\n').map((l) => ` ${l}`).join('\n') : '',
      ' Ctrl-C stops everything.',
      '──────────────────────────────────────────────────────────────',
    ].join('\n'),
  );
}
