// Shared helpers of the benchmark scripts: arguments, the machine, ports, percentiles, output.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `--quick`, `--name=value` and `--name value` flags, with defaults and a usage line on --help. */
export function parseArgs(defaults, usage) {
  const args = { quick: false, json: false, ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) fail(`unknown argument ${arg}\n${usage}`);
    const key = match[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in args)) fail(`unknown flag --${match[1]}\n${usage}`);
    let value = match[2];
    if (value === undefined && typeof args[key] !== 'boolean') value = argv[++i];
    args[key] = typeof args[key] === 'boolean' ? value !== 'false' : typeof args[key] === 'number' ? Number(value) : value;
    if (typeof args[key] === 'number' && !Number.isFinite(args[key])) fail(`--${match[1]} must be a number`);
  }
  return args;
}

export function fail(message) {
  process.stderr.write(`✖ ${message}\n`);
  process.exit(2);
}

/** What the figures were measured on, including how busy the machine was (other work skews them). */
export function machine() {
  const cpus = os.cpus();
  let rawNofile = '';
  try {
    rawNofile = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    rawNofile = '?';
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverage1m: +os.loadavg()[0].toFixed(2),
    nofile: rawNofile,
  };
}

export function printMachine() {
  const m = machine();
  console.log(`machine: ${m.cpus} cpus (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}, load(1m) ${m.loadAverage1m} at start, ulimit -n ${m.nofile}`);
  return m;
}

/** Prints one figure as `figure: name = value unit` (the smoke test reads these lines). */
export function figure(name, value, unit = '', note = '') {
  const shown = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1)) : String(value);
  console.log(`figure: ${name} = ${shown}${unit ? ` ${unit}` : ''}${note ? `  (${note})` : ''}`);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(check, timeoutMs, what = 'condition', intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${last}` : ''}`);
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
export function cpuSecondsOf(pid) {
  const { user, system } = cpuTicksOf(pid);
  return (user + system) / 100;
}

/** User and system clock ticks (1/100 s) of a process (loopback socket writes show up as system time). */
export function cpuTicksOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** Busy and total CPU seconds of the whole machine so far (Linux /proc/stat), to tell how loaded it was. */
export function machineCpuSeconds() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/** Runs a built entry point of this repo as a child process, keeping its output lines. */
export function spawnNode(entry, env, { nodeArgs = [], label = path.basename(entry) } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, entry)], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  const onData = (chunk) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 2000) lines.splice(0, 1000);
      if (process.env.BENCH_CHILD_OUTPUT) process.stderr.write(`[${label}] ${line}\n`);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: no line matching ${pattern} within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${label} exited (${code}) before ${pattern}:\n${lines.slice(-20).join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Raises this process's soft open-files limit towards the hard one for its children (control plane,
 * simulators) when a run needs more descriptors than the soft limit; Node cannot call setrlimit, so
 * children are started through `sh -c "ulimit -n N; exec node …"` by the stack helper instead.
 */
export function descriptorsNeeded(streams) {
  return streams + 2_000;
}

export function hardNofile() {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || Infinity;
  } catch {
    return Infinity;
  }
}
