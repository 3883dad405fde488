import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { credentials, Metadata, type ChannelCredentials, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  AGENT_SERVICE_PATH,
  AgentServiceClient,
  MAX_MESSAGE_BYTES,
  signRequest,
  type ArtifactChunk,
  type AuditAck,
  type AuditBatch,
  type DesiredState,
  type EnrollRequest,
  type EnrollResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type ModelStateReport,
  type PolicyAck,
  type PolicyChannelRequest,
  type PolicyUpdate,
} from '@meridian/protocol';

const UNARY_DEADLINE_MS = 10_000;

/** The agent's side of meridian.agent.v1: every call but Enroll signed with the node key, fresh per call. */
export class ControlPlaneClient {
  private readonly client: AgentServiceClient;
  private node: { id: string; key: KeyObject } | undefined;

  constructor(target: string, tlsCaFile: string | undefined) {
    const channelCredentials: ChannelCredentials = tlsCaFile ? credentials.createSsl(readFileSync(tlsCaFile)) : credentials.createInsecure();
    this.client = new AgentServiceClient(target, channelCredentials, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Reconnection is paced by the session's own backoff.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  authenticateAs(nodeId: string, key: KeyObject): void {
    this.node = { id: nodeId, key };
  }

  enroll(request: EnrollRequest): Promise<EnrollResponse> {
    return new Promise((resolve, reject) =>
      this.client.enroll(request, new Metadata(), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return new Promise((resolve, reject) =>
      this.client.heartbeat(request, this.sign('Heartbeat'), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  ackPolicy(request: PolicyAck): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.ackPolicy(request, this.sign('AckPolicy'), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error) => (error ? reject(error) : resolve())),
    );
  }

  uploadAudit(batch: AuditBatch): Promise<AuditAck> {
    return new Promise((resolve, reject) =>
      this.client.uploadAudit(batch, this.sign('UploadAudit'), { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  reportModelState(report: ModelStateReport): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.reportModelState(report, this.sign('ReportModelState'), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error) => (error ? reject(error) : resolve())),
    );
  }

  fetchArtifact(modelId: string, version: string, offset: number): ClientReadableStream<ArtifactChunk> {
    return this.client.fetchArtifact({ modelId, version, offset }, this.sign('FetchArtifact'));
  }

  /** The caller writes the hello, then an ack per bundle it reports on. */
  policyChannel(): ClientDuplexStream<PolicyChannelRequest, PolicyUpdate> {
    return this.client.policyChannel(this.sign('PolicyChannel'));
  }

  watchPolicy(currentVersion: number): ClientReadableStream<PolicyUpdate> {
    return this.client.watchPolicy({ currentVersion, currentDigest: '' }, this.sign('WatchPolicy'));
  }

  watchDesiredState(currentRevision: number): ClientReadableStream<DesiredState> {
    return this.client.watchDesiredState({ currentRevision }, this.sign('WatchDesiredState'));
  }

  close(): void {
    this.client.close();
  }

  private sign(method: string) {
    if (!this.node) throw new Error('not enrolled');
    return signRequest(this.node.key, `${AGENT_SERVICE_PATH}/${method}`, this.node.id);
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && 'code' in error && 'details' in error;
}
