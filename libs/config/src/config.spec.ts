import { describe, expect, it } from 'vitest';
import { ConfigError, deriveAppDatabaseUrl, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives safe local defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.database.ownerUrl).toBe('postgresql://postgres@127.0.0.1:5432/meridian');
    expect(config.database.appUrl).toBe('postgresql://meridian_app@127.0.0.1:5432/meridian');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => loadConfig({ REDIS_URL: 'nope' })).toThrow(/REDIS_URL/);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ HTTP_PORT: '-1', JWT_SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['HTTP_PORT', 'JWT_SECRET']);
    }
  });

  it('requires real secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required[\s\S]*KEY_ENCRYPTION_KEY: is required/);
    expect(loadConfig({}).keys.encryptionKey).toHaveLength(32);
  });

  it('checks gRPC settings', () => {
    expect(loadConfig({}).grpc).toEqual({ host: '0.0.0.0', port: 50051, tls: undefined });
    expect(() => loadConfig({ GRPC_TLS_CERT_FILE: '/tmp/cert.pem' })).toThrow(/GRPC_TLS_KEY_FILE/);
    expect(() => loadConfig({ KEY_ENCRYPTION_KEY: 'short' })).toThrow(/KEY_ENCRYPTION_KEY: must be 32 random bytes/);
  });

  it('tells enrolling gateways where agents connect: PUBLIC_URL host and gRPC port unless set', () => {
    expect(loadConfig({}).agents.publicEndpoint).toEqual({ address: 'localhost:50051', tls: false });
    expect(loadConfig({ PUBLIC_URL: 'https://meridian.example.com', GRPC_PORT: '6000' }).agents.publicEndpoint).toEqual({ address: 'meridian.example.com:6000', tls: false });
    expect(loadConfig({ PUBLIC_URL: 'http://[::1]:3000' }).agents.publicEndpoint.address).toBe('[::1]:50051');
    expect(loadConfig({ GRPC_TLS_CERT_FILE: '/c.pem', GRPC_TLS_KEY_FILE: '/k.pem' }).agents.publicEndpoint.tls).toBe(true);
    expect(loadConfig({ AGENT_PUBLIC_ENDPOINT: 'agents.meridian.example.com:443', AGENT_PUBLIC_ENDPOINT_TLS: 'true' }).agents.publicEndpoint).toEqual({ address: 'agents.meridian.example.com:443', tls: true });
    expect(() => loadConfig({ AGENT_PUBLIC_ENDPOINT: 'https://agents.meridian.example.com' })).toThrow(/AGENT_PUBLIC_ENDPOINT: must be host:port/);
    expect(() => loadConfig({ AGENT_PUBLIC_ENDPOINT_TLS: 'yes' })).toThrow(/AGENT_PUBLIC_ENDPOINT_TLS/);
  });

  it('checks artifact and rollout settings', () => {
    expect(loadConfig({}).artifacts.dir).toMatch(/^\/.*\.data\/artifacts$/);
    expect(loadConfig({ ARTIFACT_DIR: '/srv/artifacts', ARTIFACT_MAX_BYTES: '1024' }).artifacts).toEqual({ dir: '/srv/artifacts', maxBytes: 1024 });
    expect(() => loadConfig({ ARTIFACT_MAX_BYTES: '-5' })).toThrow(/ARTIFACT_MAX_BYTES/);
    expect(() => loadConfig({ ROLLOUT_TICK_MS: '10' })).toThrow(/ROLLOUT_TICK_MS/);
  });

  it('checks the per-node audit upload quota', () => {
    expect(loadConfig({}).agents).toMatchObject({ auditEventsPerSecond: 2_000, auditBurstEvents: 50_000 });
    expect(loadConfig({ AGENT_AUDIT_EVENTS_PER_SECOND: '50', AGENT_AUDIT_BURST_EVENTS: '1000' }).agents).toMatchObject({ auditEventsPerSecond: 50, auditBurstEvents: 1_000 });
    expect(() => loadConfig({ AGENT_AUDIT_EVENTS_PER_SECOND: '0' })).toThrow(/AGENT_AUDIT_EVENTS_PER_SECOND/);
    expect(() => loadConfig({ AGENT_AUDIT_BURST_EVENTS: 'lots' })).toThrow(/AGENT_AUDIT_BURST_EVENTS/);
  });

  it('checks login throttling and which proxies to trust for the client address', () => {
    expect(loadConfig({}).auth.loginFailures).toEqual({ accountBurst: 10, accountRefillSeconds: 60, addressBurst: 50, addressRefillSeconds: 6 });
    expect(() => loadConfig({ LOGIN_ACCOUNT_FAILURE_BURST: '0' })).toThrow(/LOGIN_ACCOUNT_FAILURE_BURST/);
    expect(loadConfig({}).http.trustProxy).toBe('loopback');
    expect(loadConfig({ HTTP_TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ HTTP_TRUST_PROXY: 'loopback, uniquelocal, 203.0.113.0/24, fd00::/8' }).http.trustProxy).toBe('loopback, uniquelocal, 203.0.113.0/24, fd00::/8');
    expect(() => loadConfig({ HTTP_TRUST_PROXY: 'true' })).toThrow(/HTTP_TRUST_PROXY: must be a hop count/);
    expect(() => loadConfig({ HTTP_TRUST_PROXY: 'loopback; rm' })).toThrow(/HTTP_TRUST_PROXY/);
    for (const bad of ['abc', '10.0.0.0/33', '10.0.0.1/8/1', 'loopback,', '300.1.1.1']) expect(() => loadConfig({ HTTP_TRUST_PROXY: bad }), bad).toThrow(/HTTP_TRUST_PROXY/);
  });

  it('derives the RLS-bound app connection from the owner URL', () => {
    expect(deriveAppDatabaseUrl('postgresql://owner:secret@db:5432/prod?sslmode=require', 'meridian_app')).toBe(
      'postgresql://meridian_app@db:5432/prod?sslmode=require',
    );
  });
});
