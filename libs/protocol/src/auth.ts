import { createHash, randomBytes } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import type { KeyObject } from 'node:crypto';
import { signEd25519 } from '@meridian/crypto';
import { AgentServiceService } from './generated/meridian/agent/v1/agent';

/** Metadata keys of a signed agent request (see agent.proto). */
export const AUTH_METADATA = {
  nodeId: 'x-meridian-node-id',
  timestamp: 'x-meridian-timestamp',
  nonce: 'x-meridian-nonce',
  signature: 'x-meridian-signature',
  /** sha256 (hex) of the request message's bytes; signed with the rest when present. */
  bodyDigest: 'x-meridian-body-sha256',
} as const;

export interface SignedRequestFields {
  nodeId: string;
  timestamp: number;
  nonce: string;
  signature: Buffer;
  /** Present when the node signed its request body too (agents from session 10 on do for every call with a request message). */
  bodyDigest?: string;
}

/**
 * The exact bytes a node signs for one call: bound to the method, the node, the moment, a one-time
 * nonce and, when given, the sha256 of the request message as sent. A signature over a body digest
 * does not verify without it (the payload has one more line), so dropping the digest header on the
 * way does not turn a body-bound call into one that is not.
 */
export function requestSigningPayload(methodPath: string, nodeId: string, timestamp: number, nonce: string, bodyDigest?: string): string {
  const payload = `meridian.agent.v1\n${methodPath}\n${nodeId}\n${timestamp}\n${nonce}`;
  return bodyDigest === undefined ? payload : `${payload}\n${bodyDigest}`;
}

/** The body digest of a request message: sha256 of its serialized bytes, lowercase hex. */
export function requestBodyDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function enrollProofPayload(enrollmentToken: string, publicKey: Uint8Array): string {
  return `meridian.agent.v1/enroll\n${enrollmentToken}\n${Buffer.from(publicKey).toString('base64')}`;
}

/**
 * Fresh credentials for one call; a retried call gets new ones (a reused nonce is refused as a
 * replay). `body`: the request message exactly as it will be sent (the method's own serializer),
 * so that nobody between the node and the control plane can change it; calls without a request
 * message of their own (PolicyChannel) have none.
 */
export function signRequest(privateKey: KeyObject, methodPath: string, nodeId: string, now = Date.now(), body?: Uint8Array): Metadata {
  const nonce = randomBytes(16).toString('hex');
  const bodyDigest = body === undefined ? undefined : requestBodyDigest(body);
  const signature = signEd25519(privateKey, requestSigningPayload(methodPath, nodeId, now, nonce, bodyDigest));
  const metadata = new Metadata();
  if (bodyDigest !== undefined) metadata.set(AUTH_METADATA.bodyDigest, bodyDigest);
  metadata.set(AUTH_METADATA.nodeId, nodeId);
  metadata.set(AUTH_METADATA.timestamp, String(now));
  metadata.set(AUTH_METADATA.nonce, nonce);
  metadata.set(AUTH_METADATA.signature, signature.toString('base64'));
  return metadata;
}

type AgentMethods = typeof AgentServiceService;
type RequestOf<M extends keyof AgentMethods> = Parameters<AgentMethods[M]['requestSerialize']>[0];

/**
 * Credentials for one call of the agent service, its request message bound in (serialized with the
 * method's own serializer, the one grpc-js sends it with). Streaming-request calls (PolicyChannel)
 * take no request.
 */
export function signCall<M extends keyof AgentMethods>(privateKey: KeyObject, nodeId: string, method: M, request?: RequestOf<M>, now = Date.now()): Metadata {
  const definition = AgentServiceService[method];
  if (definition.requestStream) return signRequest(privateKey, definition.path, nodeId, now);
  if (request === undefined) throw new Error(`${definition.path} is signed with its request message`);
  const serialize = definition.requestSerialize as (value: RequestOf<M>) => Buffer;
  return signRequest(privateKey, definition.path, nodeId, now, serialize(request));
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
  const digests = metadata.get(AUTH_METADATA.bodyDigest);
  if (digests.length === 0) return { nodeId, timestamp: Number(timestamp), nonce, signature: signatureBytes };
  const bodyDigest = one(AUTH_METADATA.bodyDigest);
  if (!bodyDigest || !/^[0-9a-f]{64}$/.test(bodyDigest)) return { error: 'malformed body digest' };
  return { nodeId, timestamp: Number(timestamp), nonce, signature: signatureBytes, bodyDigest };
}
