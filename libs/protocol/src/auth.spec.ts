import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadPrivateKey, verifyEd25519 } from '@meridian/crypto';
import { readSignedRequest, requestBodyDigest, requestSigningPayload, signRequest } from './auth';

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

  it('binds the request body when given: the digest travels in metadata and the signature covers it', () => {
    const body = Buffer.from('a serialized heartbeat');
    const fields = readSignedRequest(signRequest(key, '/x', nodeId, 1_800_000_000_000, body));
    if ('error' in fields) throw new Error(fields.error);
    expect(fields.bodyDigest).toBe(requestBodyDigest(body));
    expect(verifyEd25519(pair.publicKey, requestSigningPayload('/x', nodeId, fields.timestamp, fields.nonce, fields.bodyDigest), fields.signature)).toBe(true);
    // without the digest (header dropped on the way) or with another body's, the signature does not verify
    expect(verifyEd25519(pair.publicKey, requestSigningPayload('/x', nodeId, fields.timestamp, fields.nonce), fields.signature)).toBe(false);
    expect(verifyEd25519(pair.publicKey, requestSigningPayload('/x', nodeId, fields.timestamp, fields.nonce, requestBodyDigest(Buffer.from('another'))), fields.signature)).toBe(false);
    // a call signed without a body has no digest
    const bare = readSignedRequest(signRequest(key, '/x', nodeId));
    expect('bodyDigest' in bare).toBe(false);
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
    metadata.set('x-meridian-node-id', nodeId);
    metadata.set('x-meridian-body-sha256', 'ABC');
    expect(readSignedRequest(metadata)).toEqual({ error: 'malformed body digest' });
    metadata.add('x-meridian-body-sha256', 'a'.repeat(64));
    expect(readSignedRequest(metadata)).toEqual({ error: 'malformed body digest' });
    metadata.remove('x-meridian-signature');
    expect(readSignedRequest(metadata)).toEqual({ error: 'missing node credentials' });
  });
});
