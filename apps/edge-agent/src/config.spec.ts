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
});
