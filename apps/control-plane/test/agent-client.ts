import { credentials, type ClientDuplexStream, type ClientReadableStream, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { generateEd25519KeyPair, loadPrivateKey, signEd25519 } from '@meridian/crypto';
import {
  AGENT_SERVICE_PATH,
  AgentServiceClient,
  enrollProofPayload,
  signRequest,
  type ArtifactChunk,
  type AuditAck,
  type DesiredState,
  type EnrollResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type PolicyChannelRequest,
  type PolicyUpdate,
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

  enroll(token: string, nodeName = `gw-${randomBytes(3).toString('hex')}`, overrides: { proof?: Buffer; labels?: Record<string, string> } = {}): Promise<EnrollResponse> {
    const publicKey = this.keyPair.publicKey;
    const proof = overrides.proof ?? signEd25519(this.privateKey, enrollProofPayload(token, publicKey));
    return new Promise((resolve, reject) =>
      this.client.enroll({ enrollmentToken: token, publicKey, nodeName, agentVersion: '0.1.0-test', labels: overrides.labels ?? { line: 'A' }, proof }, (error, response) => {
        if (error) return reject(error);
        this.identity = response;
        resolve(response);
      }),
    );
  }

  sign(method: string, nodeId = this.nodeId, key = this.privateKey): Metadata {
    return signRequest(key, `${AGENT_SERVICE_PATH}/${method}`, nodeId);
  }

  /** A whole heartbeat message: the defaults with `request` over them. */
  heartbeatRequest(request: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
    return {
      agentVersion: '0.1.0-test',
      policyVersion: 0,
      policyDigest: '',
      models: [],
      uptimeSeconds: 1,
      inference: { requests: 0, errors: 0, denied: 0 },
      auditPendingEvents: 0,
      ...request,
    };
  }

  /** Signs the old way (no body digest, as agents before session 10), unless given other metadata. */
  heartbeat(metadata: Metadata = this.sign('Heartbeat'), request: Partial<HeartbeatRequest> = {}): Promise<HeartbeatResponse> {
    const body = this.heartbeatRequest(request);
    return new Promise((resolve, reject) =>
      this.client.heartbeat(body, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  watchPolicy(metadata: Metadata = this.sign('WatchPolicy')): ClientReadableStream<unknown> {
    return this.client.watchPolicy({ currentVersion: 0, currentDigest: '' }, metadata);
  }

  /** Opens the policy channel; `hello` is written first unless it is null (to test refusals). */
  policyChannel(hello: PolicyChannelRequest | null = { hello: { currentVersion: 0, currentDigest: '' } }, metadata: Metadata = this.sign('PolicyChannel')): ClientDuplexStream<PolicyChannelRequest, PolicyUpdate> {
    const channel = this.client.policyChannel(metadata);
    if (hello) channel.write(hello);
    return channel;
  }

  uploadAudit(records: { seq: number; prevHash: string; hash: string; body: string }[], options: { signWith?: KeyObject } = {}): Promise<AuditAck> {
    const encoded = records.map((r) => ({ seq: r.seq, prevHash: Buffer.from(r.prevHash, 'hex'), hash: Buffer.from(r.hash, 'hex'), body: Buffer.from(r.body, 'utf8') }));
    const signature = signEd25519(options.signWith ?? this.privateKey, Buffer.concat(encoded.map((r) => r.hash)));
    return new Promise((resolve, reject) =>
      this.client.uploadAudit({ records: encoded, signature }, this.sign('UploadAudit'), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  watchDesiredState(currentRevision = 0): ClientReadableStream<DesiredState> {
    return this.client.watchDesiredState({ currentRevision }, this.sign('WatchDesiredState'));
  }

  reportModelState(report: { modelId: string; version: string; state: string; detail?: string; rolloutId?: string }): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.reportModelState({ detail: '', rolloutId: '', ...report }, this.sign('ReportModelState'), { deadline: Date.now() + 10_000 }, (error) => (error ? reject(error) : resolve())),
    );
  }

  fetchArtifact(modelId: string, version: string, offset = 0): ClientReadableStream<ArtifactChunk> {
    return this.client.fetchArtifact({ modelId, version, offset }, this.sign('FetchArtifact'));
  }

  /** Downloads from `offset` to the end; `stopAfterBytes` cancels the stream midway (a broken download). */
  download(modelId: string, version: string, options: { offset?: number; stopAfterBytes?: number } = {}): Promise<{ data: Buffer; chunks: ArtifactChunk[]; cancelled: boolean }> {
    const stream = this.fetchArtifact(modelId, version, options.offset ?? 0);
    const chunks: ArtifactChunk[] = [];
    let received = 0;
    return new Promise((resolve, reject) => {
      stream.on('data', (chunk: ArtifactChunk) => {
        chunks.push(chunk);
        received += chunk.data.length;
        if (options.stopAfterBytes !== undefined && received >= options.stopAfterBytes) stream.cancel();
      });
      stream.on('error', (error: ServiceError) => {
        if (error.code === 1 /* CANCELLED */ && options.stopAfterBytes !== undefined) resolve({ data: Buffer.concat(chunks.map((c) => c.data)), chunks, cancelled: true });
        else reject(error);
      });
      stream.on('end', () => resolve({ data: Buffer.concat(chunks.map((c) => c.data)), chunks, cancelled: false }));
    });
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
