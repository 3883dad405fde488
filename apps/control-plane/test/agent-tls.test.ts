import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '@meridian/crypto';
import { Role } from '@meridian/db';
import { AgentServiceClient } from '@meridian/protocol';
import { grpcError } from './agent-client';
import { call, startHarness, type Harness } from './harness';

/** GRPC_TLS_CERT_FILE / GRPC_TLS_KEY_FILE put the agent port on TLS; agents then need the CA to connect. */
describe('agent gRPC over TLS', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meridian-tls-'));
    const result = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    h = await startHarness('agent-tls', { GRPC_TLS_CERT_FILE: path.join(dir, 'cert.pem'), GRPC_TLS_KEY_FILE: path.join(dir, 'key.pem'), AGENT_PUBLIC_ENDPOINT: 'agents.meridian.test:443' });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const enrollWith = (client: AgentServiceClient, token: string) =>
    new Promise((resolve, reject) =>
      client.enroll({ enrollmentToken: token, publicKey: generateEd25519KeyPair().publicKey, nodeName: 'x', agentVersion: '', labels: {}, proof: Buffer.alloc(64) }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );

  it('serves agents that trust the CA and refuses plaintext', async () => {
    const created = (await call(h, 'POST', '/v1/enrollment-tokens', { token: await h.token('a', Role.vendor_admin), body: { siteId: h.tenants.a.siteIds.ID } })).body;
    const token = created.token;
    // whoever enrolls the gateway is told the agent needs a CA for this endpoint
    expect(created.agentEndpoint).toEqual({ address: 'agents.meridian.test:443', tls: true });
    const trusted = new AgentServiceClient(h.grpcTarget, credentials.createSsl(readFileSync(path.join(dir, 'cert.pem'))));
    // reaches the server over TLS: the (deliberately bad) proof is what gets refused
    const refusal = await grpcError(enrollWith(trusted, token));
    expect(refusal.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(refusal.details).toMatch(/proof of possession/);
    trusted.close();

    const plaintext = new AgentServiceClient(h.grpcTarget, credentials.createInsecure());
    const failure = await grpcError(enrollWith(plaintext, token));
    expect(failure.code).toBe(GrpcStatus.UNAVAILABLE);
    plaintext.close();
  });
});
