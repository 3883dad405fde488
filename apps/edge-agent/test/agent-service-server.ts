import { Server, ServerCredentials, status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import {
  AgentServiceService,
  readSignedRequest,
  type ArtifactChunk,
  type AuditAck,
  type AuditBatch,
  type DesiredState,
  type FetchArtifactRequest,
  type EnrollRequest,
  type EnrollResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type ModelStateAck,
  type ModelStateReport,
  type PolicyAck,
  type PolicyAckResponse,
  type PolicyChannelRequest,
  type PolicyUpdate,
  type WatchDesiredStateRequest,
  type WatchPolicyRequest,
} from '@meridian/protocol';

/**
 * A real gRPC AgentService on loopback for the agent's model-delivery tests, standing in for the
 * control plane's side of the contract: WatchDesiredState (pushes), ReportModelState (recorded),
 * FetchArtifact (chunked, from an offset, optionally breaking mid-stream), Heartbeat, WatchPolicy
 * (one bundle) and UploadAudit (acknowledges). Requests must carry the node's request signature
 * fields (the signature itself is the control plane's business and is tested there).
 * With `{ policyChannel: true }` it also serves PolicyChannel; without, it answers it UNIMPLEMENTED,
 * as a control plane that predates it does.
 */
export class AgentServiceServer {
  readonly server = new Server();
  port = 0;
  readonly reports: ModelStateReport[] = [];
  readonly fetches: FetchArtifactRequest[] = [];
  readonly heartbeats: HeartbeatRequest[] = [];
  readonly artifacts = new Map<string, Buffer>();
  /** FetchArtifact answers these with PERMISSION_DENIED, as the control plane does for a version no longer desired. */
  readonly refused = new Set<string>();
  chunkSize = 64;
  /** Delay between chunks, to give a test time to break things mid-download. */
  chunkDelayMs = 0;
  /** The next FetchArtifact stream fails with UNAVAILABLE after this many chunks (then the setting clears). */
  breakAfterChunks: number | undefined;
  policy: PolicyUpdate | undefined;
  /** Acknowledgements received, and how they came. */
  readonly acks: { via: 'channel' | 'AckPolicy'; ack: PolicyAck }[] = [];
  /** The hellos PolicyChannel streams opened with. */
  readonly hellos: WatchPolicyRequest[] = [];
  private desired: DesiredState = { revision: 0, models: [] };
  private hasDesired = false;
  private readonly desiredStreams = new Set<ServerWritableStream<WatchDesiredStateRequest, DesiredState>>();
  private readonly policyStreams = new Set<{ write(update: PolicyUpdate): void }>();

  constructor(private readonly options: { policyChannel?: boolean } = {}) {}

  async start(port = 0): Promise<number> {
    const unauthenticated = (metadata: Parameters<typeof readSignedRequest>[0]) => 'error' in readSignedRequest(metadata);
    this.server.addService(AgentServiceService, {
      enroll: (_call: ServerUnaryCall<EnrollRequest, EnrollResponse>, callback: sendUnaryData<EnrollResponse>) => callback({ code: status.UNIMPLEMENTED, details: 'not in this test' }),
      heartbeat: (call: ServerUnaryCall<HeartbeatRequest, HeartbeatResponse>, callback: sendUnaryData<HeartbeatResponse>) => {
        if (unauthenticated(call.metadata)) return callback({ code: status.UNAUTHENTICATED, details: 'unsigned' });
        this.heartbeats.push(call.request);
        callback(null, { serverTimeUnixMs: Date.now(), heartbeatIntervalSeconds: 1 });
      },
      watchPolicy: (call: ServerWritableStream<WatchPolicyRequest, PolicyUpdate>) => {
        this.policyStreams.add(call);
        call.on('cancelled', () => this.policyStreams.delete(call));
        if (this.policy && (this.policy.bundle?.version ?? 0) > call.request.currentVersion) call.write(this.policy);
      },
      ackPolicy: (call: ServerUnaryCall<PolicyAck, PolicyAckResponse>, callback: sendUnaryData<PolicyAckResponse>) => {
        this.acks.push({ via: 'AckPolicy', ack: call.request });
        callback(null, {});
      },
      ...(this.options.policyChannel ? { policyChannel: (call: ServerDuplexStream<PolicyChannelRequest, PolicyUpdate>) => this.servePolicyChannel(call) } : {}),
      watchDesiredState: (call: ServerWritableStream<WatchDesiredStateRequest, DesiredState>) => {
        if (unauthenticated(call.metadata)) {
          call.emit('error', { code: status.UNAUTHENTICATED, details: 'unsigned' });
          return;
        }
        this.desiredStreams.add(call);
        call.on('cancelled', () => this.desiredStreams.delete(call));
        call.on('close', () => this.desiredStreams.delete(call));
        if (this.hasDesired) call.write(this.desired);
      },
      reportModelState: (call: ServerUnaryCall<ModelStateReport, ModelStateAck>, callback: sendUnaryData<ModelStateAck>) => {
        if (unauthenticated(call.metadata)) return callback({ code: status.UNAUTHENTICATED, details: 'unsigned' });
        this.reports.push(call.request);
        callback(null, {});
      },
      uploadAudit: (call: ServerUnaryCall<AuditBatch, AuditAck>, callback: sendUnaryData<AuditAck>) => {
        const last = call.request.records[call.request.records.length - 1];
        callback(null, { acknowledgedSeq: last?.seq ?? 0, acknowledgedHash: last?.hash ?? Buffer.alloc(0) });
      },
      fetchArtifact: (call: ServerWritableStream<FetchArtifactRequest, ArtifactChunk>) => void this.serveArtifact(call),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return this.port;
  }

  /** Sets the desired state and pushes it to every open WatchDesiredState stream. */
  setDesired(models: DesiredState['models']): void {
    this.desired = { revision: this.desired.revision + 1, models };
    this.hasDesired = true;
    for (const stream of this.desiredStreams) stream.write(this.desired);
  }

  /** Sets the policy bundle and pushes it to every open WatchPolicy stream. */
  setPolicy(update: PolicyUpdate): void {
    this.policy = update;
    for (const stream of this.policyStreams) stream.write(update);
  }

  reportsFor(modelId: string, version?: string): string[] {
    return this.reports.filter((r) => r.modelId === modelId && (version === undefined || r.version === version)).map((r) => r.state);
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }

  private servePolicyChannel(call: ServerDuplexStream<PolicyChannelRequest, PolicyUpdate>): void {
    if ('error' in readSignedRequest(call.metadata)) {
      call.emit('error', { code: status.UNAUTHENTICATED, details: 'unsigned' });
      return;
    }
    call.on('data', (message: PolicyChannelRequest) => {
      if (message.ack) {
        this.acks.push({ via: 'channel', ack: message.ack });
        return;
      }
      const currentVersion = message.hello?.currentVersion ?? 0;
      this.hellos.push({ currentVersion, currentDigest: message.hello?.currentDigest ?? '' });
      this.policyStreams.add(call);
      if (this.policy && (this.policy.bundle?.version ?? 0) > currentVersion) call.write(this.policy);
    });
    call.on('cancelled', () => this.policyStreams.delete(call));
  }

  private async serveArtifact(call: ServerWritableStream<FetchArtifactRequest, ArtifactChunk>): Promise<void> {
    if ('error' in readSignedRequest(call.metadata)) {
      call.emit('error', { code: status.UNAUTHENTICATED, details: 'unsigned' });
      return;
    }
    this.fetches.push({ ...call.request });
    if (this.refused.has(`${call.request.modelId}@${call.request.version}`)) {
      call.emit('error', { code: status.PERMISSION_DENIED, details: `version ${call.request.version} is not in this node's desired state` });
      return;
    }
    const artifact = this.artifacts.get(`${call.request.modelId}@${call.request.version}`);
    if (!artifact) {
      call.emit('error', { code: status.NOT_FOUND, details: `no artifact ${call.request.modelId}@${call.request.version}` });
      return;
    }
    if (call.request.offset > artifact.length) {
      call.emit('error', { code: status.OUT_OF_RANGE, details: 'offset beyond the artifact' });
      return;
    }
    const breakAfter = this.breakAfterChunks;
    this.breakAfterChunks = undefined;
    let sent = 0;
    for (let offset = call.request.offset; offset < artifact.length; offset += this.chunkSize) {
      if (call.cancelled) return;
      if (breakAfter !== undefined && sent === breakAfter) {
        await new Promise((resolve) => setTimeout(resolve, 20)); // what was sent has reached the client
        call.emit('error', { code: status.UNAVAILABLE, details: 'connection broken by the test' });
        return;
      }
      call.write({ offset, data: artifact.subarray(offset, offset + this.chunkSize), totalSize: artifact.length });
      sent += 1;
      if (this.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, this.chunkDelayMs));
    }
    call.end();
  }
}
