import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config';

describe('agent config', () => {
  it('has local defaults', () => {
    const config = loadAgentConfig({ MERIDIAN_NODE_NAME: 'gw-1' });
    expect(config).toMatchObject({ controlPlane: '127.0.0.1:50051', localApiPort: 7070, nodeName: 'gw-1', labels: {}, backoff: { initialMs: 500, maxMs: 15_000 } });
  });

  it('parses labels', () => {
    expect(loadAgentConfig({ MERIDIAN_NODE_LABELS: 'line=A,zone/b=north' }).labels).toEqual({ line: 'A', 'zone/b': 'north' });
  });

  it('names the bad setting', () => {
    expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_PORT: 'http' })).toThrow(/MERIDIAN_LOCAL_API_PORT/);
    expect(() => loadAgentConfig({ MERIDIAN_CONTROL_PLANE: 'no port' })).toThrow(/MERIDIAN_CONTROL_PLANE: must be host:port/);
    expect(() => loadAgentConfig({ MERIDIAN_NODE_LABELS: 'oops' })).toThrow(/MERIDIAN_NODE_LABELS/);
    expect(() => loadAgentConfig({ MERIDIAN_BACKOFF_INITIAL_MS: '5000', MERIDIAN_BACKOFF_MAX_MS: '1000' })).toThrow(/MERIDIAN_BACKOFF_MAX_MS/);
    expect(() => loadAgentConfig({ MERIDIAN_MODEL_CHECKPOINT_BYTES: '0' })).toThrow(/MERIDIAN_MODEL_CHECKPOINT_BYTES/);
  });

  it('makes model downloads durable every 256 KiB unless told otherwise', () => {
    expect(loadAgentConfig({}).modelCheckpointBytes).toBe(256 * 1024);
    expect(loadAgentConfig({ MERIDIAN_MODEL_CHECKPOINT_BYTES: '4096' }).modelCheckpointBytes).toBe(4096);
  });

  it('opens the local API to other machines only with named applications and their tokens', async () => {
    expect(loadAgentConfig({})).toMatchObject({ localApiHost: '127.0.0.1', localApiClients: undefined });
    const clients = JSON.stringify({ 'vision-line-1': 'x'.repeat(32), scada: 'y'.repeat(40) });
    expect(loadAgentConfig({ MERIDIAN_LOCAL_API_HOST: '0.0.0.0', MERIDIAN_LOCAL_API_CLIENTS: clients })).toMatchObject({ localApiHost: '0.0.0.0', localApiClients: { 'vision-line-1': 'x'.repeat(32), scada: 'y'.repeat(40) } });
    // Loopback may require tokens too.
    expect(loadAgentConfig({ MERIDIAN_LOCAL_API_CLIENTS: clients }).localApiClients).toHaveProperty('scada');
    expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_HOST: '0.0.0.0' })).toThrow(/MERIDIAN_LOCAL_API_HOST: 0\.0\.0\.0 lets other machines call the local API; name the applications/);
    expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_HOST: 'gateway.local' })).toThrow(/MERIDIAN_LOCAL_API_HOST: must be an IP address/);
    for (const bad of ['{}', '[]', '{"a":"short"}', `{"bad name":"${'x'.repeat(32)}"}`, `{"a":"${'x'.repeat(32)}","b":"${'x'.repeat(32)}"}`, 'not json']) {
      expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_CLIENTS: bad }), bad).toThrow(/MERIDIAN_LOCAL_API_CLIENTS: must be a JSON object of application name/);
    }
    const { promises: fs } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-clients-'));
    try {
      const file = path.join(dir, 'clients.json');
      await fs.writeFile(file, `${clients}\n`);
      expect(loadAgentConfig({ MERIDIAN_LOCAL_API_HOST: '::', MERIDIAN_LOCAL_API_CLIENTS_FILE: file }).localApiClients).toHaveProperty('vision-line-1');
      await fs.writeFile(file, '{"a":"short"}');
      expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_CLIENTS_FILE: file })).toThrow(/MERIDIAN_LOCAL_API_CLIENTS_FILE: .* must be a JSON object/);
      expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_CLIENTS_FILE: path.join(dir, 'missing.json') })).toThrow(/MERIDIAN_LOCAL_API_CLIENTS_FILE: cannot read/);
      expect(() => loadAgentConfig({ MERIDIAN_LOCAL_API_CLIENTS: clients, MERIDIAN_LOCAL_API_CLIENTS_FILE: file })).toThrow(/give one of them/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
