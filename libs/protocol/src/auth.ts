import { randomBytes } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import type { KeyObject } from 'node:crypto';
import { signEd25519 } from '@meridian/crypto';

/** Metadata keys of a signed agent request (see agent.proto). */
export const AUTH_METADATA = {
  nodeId: 'x-meridian-node-id',
  timestamp: 'x-meridian-timestamp',
  nonce: 'x-meridian-nonce',
  signature: 'x-meridian-signature',
} as const;

export interface SignedRequestFields {
  nodeId: string;
  timestamp: number;
  nonce: string;
  signature: Buffer;
}

/** The exact bytes a node signs for one call: bound to the method, the node, the moment and a one-time nonce. */
export function requestSigningPayload(methodPath: string, nodeId: string, timestamp: number, nonce: string): string {
  return `meridian.agent.v1\n${methodPath}\n${nodeId}\n${timestamp}\n${nonce}`;
}

export function enrollProofPayload(enrollmentToken: string, publicKey: Uint8Array): string {
  return `meridian.agent.v1/enroll\n${enrollmentToken}\n${Buffer.from(publicKey).toString('base64')}`;
}

/** Fresh credentials for one call; a retried call gets new ones (a reused nonce is refused as a replay). */
export function signRequest(privateKey: KeyObject, methodPath: string, nodeId: string, now = Date.now()): Metadata {
  const nonce = randomBytes(16).toString('hex');
  const signature = signEd25519(privateKey, requestSigningPayload(methodPath, nodeId, now, nonce));
  const metadata = new Metadata();
  metadata.set(AUTH_METADATA.nodeId, nodeId);
  metadata.set(AUTH_METADATA.timestamp, String(now));
  metadata.set(AUTH_METADATA.nonce, nonce);
  metadata.set(AUTH_METADATA.signature, signature.toString('base64'));
  return metadata;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses, without trusting, the auth fields of incoming metadata. Returns a reason when malformed. */
export function readSignedRequest(metadata: Metadata): SignedRequestFields | { error: string } {
  const one = (key: string) => {
    const values = metadata.get(key);
    return values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
  };
  const nodeId = one(AUTH_METADATA.nodeId);
  const timestamp = one(AUTH_METADATA.timestamp);
  const nonce = one(AUTH_METADATA.nonce);
  const signature = one(AUTH_METADATA.signature);
  if (!nodeId || !timestamp || !nonce || !signature) return { error: 'missing node credentials' };
  if (!UUID.test(nodeId)) return { error: 'malformed node id' };
  if (!/^\d{10,16}$/.test(timestamp)) return { error: 'malformed timestamp' };
  if (!/^[0-9a-f]{32,128}$/.test(nonce)) return { error: 'malformed nonce' };
  const signatureBytes = Buffer.from(signature, 'base64');
  if (signatureBytes.length !== 64) return { error: 'malformed signature' };
  return { nodeId, timestamp: Number(timestamp), nonce, signature: signatureBytes };
}
