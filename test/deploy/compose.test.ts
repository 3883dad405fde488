import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgentConfig } from '../../apps/edge-agent/src/config';

/** No Docker engine here: the compose file and Dockerfile are checked against what the apps really read and build. */
const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: unknown; command?: string[]; environment?: Record<string, string>; ports?: string[]; depends_on?: Record<string, unknown>; healthcheck?: unknown }>;
};

function configVariables(): Set<string> {
  const source = readFileSync(path.join(root, 'libs/config/src/config.ts'), 'utf8');
  const block = source.slice(source.indexOf('const envSchema = z.object({'), source.indexOf('});', source.indexOf('const envSchema = z.object({')));
  return new Set([...block.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!));
}

describe('docker-compose.yml', () => {
  const services = compose.services;
  const known = configVariables();

  it('has the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining(['agent-cl', 'agent-id', 'control-plane', 'demo-tokens', 'migrate', 'postgres', 'redis', 'worker']));
    for (const [name, service] of Object.entries(services)) expect(service.image ?? service.build, name).toBeDefined();
  });

  it('reads the config module\'s variable names', () => {
    expect(known.has('DATABASE_URL')).toBe(true);
    expect(known.size).toBeGreaterThan(15);
    for (const name of ['control-plane', 'worker', 'migrate']) {
      const unknown = Object.keys(services[name]!.environment ?? {}).filter((variable) => !known.has(variable));
      expect(unknown, `${name} sets variables no app reads`).toEqual([]);
    }
    expect(services['control-plane']!.environment).toMatchObject({ NODE_ENV: 'production' });
    // production refuses to start without these
    expect(Object.keys(services['control-plane']!.environment!)).toEqual(expect.arrayContaining(['JWT_SECRET', 'KEY_ENCRYPTION_KEY']));
  });

  it('runs demo agents with settings the agent reads', () => {
    const agentSource = readFileSync(path.join(root, 'apps/edge-agent/src/config.ts'), 'utf8');
    const agentVariables = new Set([...agentSource.matchAll(/^ {2}(MERIDIAN_[A-Z0-9_]+|LOG_LEVEL):/gm)].map((m) => m[1]!));
    expect(agentVariables.size).toBeGreaterThan(8);
    for (const name of ['agent-id', 'agent-cl']) {
      const environment = services[name]!.environment ?? {};
      expect(Object.keys(environment).filter((variable) => !agentVariables.has(variable)), name).toEqual([]);
      expect(environment.MERIDIAN_CONTROL_PLANE).toBe('control-plane:50051');
    }
    for (const name of ['agent-id', 'agent-cl']) {
      const environment = services[name]!.environment as Record<string, string>;
      // The agent would start with these settings (its own validation, not a copy of it).
      const config = loadAgentConfig({ ...environment, MERIDIAN_ENROLLMENT_TOKEN_FILE: undefined });
      // A published port reaches the container's interface, never its loopback.
      const published = (services[name]!.ports ?? []).map((port) => String(port).split(':').at(-1));
      expect(published, name).toEqual([String(config.localApiPort)]);
      expect(config.localApiHost, name).toBe('0.0.0.0');
      expect(Object.keys(config.localApiClients ?? {}), name).toEqual(['demo-app']);
    }
    expect(services['agent-id']!.environment!.MERIDIAN_ENROLLMENT_TOKEN_FILE).toBe('/tokens/id');
    expect(services['agent-cl']!.environment!.MERIDIAN_ENROLLMENT_TOKEN_FILE).toBe('/tokens/cl');
  });

  it('has health checks and valid dependencies', () => {
    for (const name of ['postgres', 'redis', 'control-plane', 'agent-id', 'agent-cl']) expect(services[name]!.healthcheck, name).toBeDefined();
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
    }
  });

  it('runs entry points the build produces', () => {
    const entries = Object.values(services)
      .flatMap((service) => service.command ?? [])
      .flatMap((part) => part.match(/[\w/.-]+\/dist\/[\w/.-]+\.js|(tools|scripts)\/[\w/.-]+\.mjs/g) ?? []);
    expect(entries).toEqual(expect.arrayContaining(['apps/control-plane/dist/main.js', 'apps/worker/dist/main.js', 'apps/edge-agent/dist/main.js', 'tools/prisma-migrate/run.mjs']));
    for (const entry of entries) {
      const source = entry.endsWith('.mjs') ? entry : entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
      expect(existsSync(path.join(root, source)), `${entry} has no source ${source}`).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  it('installs reproducibly and builds', () => {
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
    expect(dockerfile).toMatch(/RUN npm ci && npm run build/);
    expect(dockerfile).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
