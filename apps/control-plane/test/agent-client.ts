import { credentials, type ClientReadableStream, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { generateEd25519KeyPair, loadPrivateKey, signEd25519 } from '@meridian/crypto';
import {
  AGENT_SERVICE_PATH,
  AgentServiceClient,
  enrollProofPayload,
  signRequest,
  type AuditAck,
  type EnrollResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from '@meridian/protocol';
import type { KeyObject } from 'node:crypto';

/** A scripted agent for protocol tests: real gRPC, real keys, and full control over what it sends. */
export class TestAgent {
  readonly client: AgentServiceClient;
  readonly keyPair = generateEd25519KeyPair();
  readonly privateKey: KeyObject = loadPrivateKey(this.keyPair.privateKeyPem);
  identity: EnrollResponse | undefined;

  constructor(target: string) {
    this.client = new AgentServiceClient(target, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  }

  get nodeId(): string {
    if (!this.identity) throw new Error('not enrolled');
    return this.identity.nodeId;
  }

  enroll(token: string, nodeName = `gw-${randomBytes(3).toString('hex')}`, overrides: { proof?: Buffer } = {}): Promise<EnrollResponse> {
    const publicKey = this.keyPair.publicKey;
    const proof = overrides.proof ?? signEd25519(this.privateKey, enrollProofPayload(token, publicKey));
    return new Promise((resolve, reject) =>
      this.client.enroll({ enrollmentToken: token, publicKey, nodeName, agentVersion: '0.1.0-test', labels: { line: 'A' }, proof }, (error, response) => {
        if (error) return reject(error);
        this.identity = response;
        resolve(response);
      }),
    );
  }

  sign(method: string, nodeId = this.nodeId, key = this.privateKey): Metadata {
    return signRequest(key, `${AGENT_SERVICE_PATH}/${method}`, nodeId);
  }

  heartbeat(metadata: Metadata = this.sign('Heartbeat'), request: Partial<HeartbeatRequest> = {}): Promise<HeartbeatResponse> {
    const body: HeartbeatRequest = {
      agentVersion: '0.1.0-test',
      policyVersion: 0,
      policyDigest: '',
      models: [],
      uptimeSeconds: 1,
      inference: { requests: 0, errors: 0, denied: 0 },
      auditPendingEvents: 0,
      ...request,
    };
    return new Promise((resolve, reject) =>
      this.client.heartbeat(body, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  watchPolicy(metadata: Metadata = this.sign('WatchPolicy')): ClientReadableStream<unknown> {
    return this.client.watchPolicy({ currentVersion: 0 }, metadata);
  }

  uploadAudit(records: { seq: number; prevHash: string; hash: string; body: string }[], options: { signWith?: KeyObject } = {}): Promise<AuditAck> {
    const encoded = records.map((r) => ({ seq: r.seq, prevHash: Buffer.from(r.prevHash, 'hex'), hash: Buffer.from(r.hash, 'hex'), body: Buffer.from(r.body, 'utf8') }));
    const signature = signEd25519(options.signWith ?? this.privateKey, Buffer.concat(encoded.map((r) => r.hash)));
    return new Promise((resolve, reject) =>
      this.client.uploadAudit({ records: encoded, signature }, this.sign('UploadAudit'), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** The gRPC status a promise was rejected with. */
export async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** Resolves with the status a server stream ends with. */
export function streamEnd(stream: ClientReadableStream<unknown>): Promise<{ code: number; details: string; at: number }> {
  return new Promise((resolve) => {
    stream.on('data', () => undefined);
    stream.on('error', (error: ServiceError) => resolve({ code: error.code, details: error.details, at: Date.now() }));
    stream.on('end', () => resolve({ code: 0, details: 'end', at: Date.now() }));
  });
}
