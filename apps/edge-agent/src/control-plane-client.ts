import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { credentials, Metadata, type ChannelCredentials, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  AgentServiceClient,
  AgentServiceService,
  MAX_MESSAGE_BYTES,
  signCall,
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

/** The agent's side of meridian.agent.v1: every call but Enroll signed with the node key, fresh per call, request message included. */
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
      this.client.heartbeat(request, this.sign('heartbeat', request), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  ackPolicy(request: PolicyAck): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.ackPolicy(request, this.sign('ackPolicy', request), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error) => (error ? reject(error) : resolve())),
    );
  }

  uploadAudit(batch: AuditBatch): Promise<AuditAck> {
    return new Promise((resolve, reject) =>
      this.client.uploadAudit(batch, this.sign('uploadAudit', batch), { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  reportModelState(report: ModelStateReport): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.reportModelState(report, this.sign('reportModelState', report), { deadline: Date.now() + UNARY_DEADLINE_MS }, (error) => (error ? reject(error) : resolve())),
    );
  }

  fetchArtifact(modelId: string, version: string, offset: number): ClientReadableStream<ArtifactChunk> {
    const request = { modelId, version, offset };
    return this.client.fetchArtifact(request, this.sign('fetchArtifact', request));
  }

  /** The caller writes the hello, then an ack per bundle it reports on. */
  policyChannel(): ClientDuplexStream<PolicyChannelRequest, PolicyUpdate> {
    return this.client.policyChannel(this.sign('policyChannel'));
  }

  watchPolicy(currentVersion: number): ClientReadableStream<PolicyUpdate> {
    const request = { currentVersion, currentDigest: '' };
    return this.client.watchPolicy(request, this.sign('watchPolicy', request));
  }

  watchDesiredState(currentRevision: number): ClientReadableStream<DesiredState> {
    const request = { currentRevision };
    return this.client.watchDesiredState(request, this.sign('watchDesiredState', request));
  }

  close(): void {
    this.client.close();
  }

  /** Fresh credentials for one call, bound to its request message (libs/protocol signCall). */
  private sign<M extends keyof typeof AgentServiceService>(method: M, request?: Parameters<(typeof AgentServiceService)[M]['requestSerialize']>[0]) {
    if (!this.node) throw new Error('not enrolled');
    return signCall(this.node.key, this.node.id, method, request);
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && 'code' in error && 'details' in error;
}
