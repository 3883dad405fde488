import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey, verifyEd25519 } from '@meridian/crypto';
import { readSignedRequest, requestSigningPayload, signRequest } from './auth';

describe('request signing', () => {
  const pair = generateEd25519KeyPair();
  const key = loadPrivateKey(pair.privateKeyPem);
  const nodeId = '7b0c6f1e-8d7a-4c3e-9a55-2f4d1c0b9e8a';

  it('produces metadata the server can parse and verify', () => {
    const metadata = signRequest(key, '/meridian.agent.v1.AgentService/Heartbeat', nodeId, 1_800_000_000_000);
    const fields = readSignedRequest(metadata);
    if ('error' in fields) throw new Error(fields.error);
    expect(fields.nodeId).toBe(nodeId);
    expect(fields.timestamp).toBe(1_800_000_000_000);
    const payload = requestSigningPayload('/meridian.agent.v1.AgentService/Heartbeat', nodeId, fields.timestamp, fields.nonce);
    expect(verifyEd25519(pair.publicKey, payload, fields.signature)).toBe(true);
    // bound to the method: the same signature does not authorise another call
    const other = requestSigningPayload('/meridian.agent.v1.AgentService/UploadAudit', nodeId, fields.timestamp, fields.nonce);
    expect(verifyEd25519(pair.publicKey, other, fields.signature)).toBe(false);
  });

  it('uses a fresh nonce per call', () => {
    const a = readSignedRequest(signRequest(key, '/x', nodeId));
    const b = readSignedRequest(signRequest(key, '/x', nodeId));
    expect('nonce' in a && 'nonce' in b && a.nonce !== b.nonce).toBe(true);
  });

  it('reports malformed credentials', () => {
    const metadata = signRequest(key, '/x', nodeId);
    metadata.set('x-meridian-node-id', 'not-a-uuid');
    expect(readSignedRequest(metadata)).toEqual({ error: 'malformed node id' });
    metadata.remove('x-meridian-signature');
    expect(readSignedRequest(metadata)).toEqual({ error: 'missing node credentials' });
  });
});
