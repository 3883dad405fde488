import { readFileSync } from 'node:fs';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import type { AppConfig } from '@meridian/config';
import {
  AGENT_SERVICE_PATH,
  AgentServiceService,
  MAX_MESSAGE_BYTES,
  type AgentServiceServer,
  type DesiredState,
  type PolicyUpdate,
} from '@meridian/protocol';
import { InjectConfig } from '../config/config.module';
import { AgentAuthService, type NodeIdentity } from './agent-auth.service';
import { AuditIngestService } from './audit-ingest.service';
import { AgentRpcError, toServiceError } from './agent-rpc-error';
import { ArtifactDeliveryService } from './artifact-delivery.service';
import { DesiredStateService } from './desired-state.service';
import { acceptingEncoded, type EncodedMessage } from './encoded-message';
import { recordingRequestDigests } from './request-digest';
import { ModelReportsService } from './model-reports.service';
import { AgentMetrics } from './agent.metrics';
import { EnrollmentService } from './enrollment.service';
import { peerAddress } from './enrollment-rate-limiter';
import { NodeEventsService } from './node-events.service';
import { NodeReportsService } from './node-reports.service';
import { PolicyChannelService, type PolicyChannelCall } from './policy-channel.service';
import { PolicyPushService } from './policy-push.service';
import { StreamRegistry, type StreamKind } from './stream-registry';

const UNARY_TIMEOUT_MS = 15_000;
const REVOCATION_SWEEP_MS = 2_000;

/**
 * The agent-facing gRPC server, on its own port beside the HTTP API. Every handler authenticates
 * the node first; everything after that is scoped to the node's tenant and site.
 */
@Injectable()
export class AgentGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AgentGrpcServer.name);
  private server: Server | undefined;
  private sweep: NodeJS.Timeout | undefined;
  /** The bound port (differs from the configured one when that is 0). */
  port = 0;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly auth: AgentAuthService,
    private readonly enrollment: EnrollmentService,
    private readonly reports: NodeReportsService,
    private readonly streams: StreamRegistry,
    private readonly events: NodeEventsService,
    private readonly metrics: AgentMetrics,
    private readonly policies: PolicyPushService,
    private readonly policyChannel: PolicyChannelService,
    private readonly audit: AuditIngestService,
    private readonly desiredState: DesiredStateService,
    private readonly artifacts: ArtifactDeliveryService,
    private readonly modelReports: ModelReportsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.events.onRevoked(({ nodeId }) => this.cut(nodeId));
    this.sweep = setInterval(() => void this.sweepRevoked(), REVOCATION_SWEEP_MS);
    this.sweep.unref();

    const server = new Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
      'grpc.max_concurrent_streams': 100,
      // channelz (call and socket tracking for a debugging service we do not expose) costs every call
      'grpc.enable_channelz': 0,
    });
    server.addService(recordingRequestDigests(acceptingEncoded(AgentServiceService, ['watchPolicy', 'policyChannel'])), this.handlers());
    const credentials = this.config.grpc.tls
      ? ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(this.config.grpc.tls.certFile), private_key: readFileSync(this.config.grpc.tls.keyFile) }], false)
      : ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.config.grpc.host}:${this.config.grpc.port}`, credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
    this.logger.log({ port: this.port, tls: Boolean(this.config.grpc.tls) }, 'agent gRPC server listening');
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweep);
    const server = this.server;
    if (!server) return;
    this.streams.closeAll('control plane shutting down');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private handlers(): AgentServiceServer {
    return {
      enroll: this.unary('Enroll', false, (request, _node, call) => this.enrollment.enroll(request, peerAddress(call.getPeer()))),
      heartbeat: this.unary('Heartbeat', true, (request, node) => this.reports.heartbeat(node!, request)),
      policyChannel: (call) => {
        void this.guard('PolicyChannel', call as unknown as ServerWritableStream<unknown, unknown>, async () => {
          const node = await this.auth.authenticate(call.metadata, `${AGENT_SERVICE_PATH}/PolicyChannel`);
          this.policyChannel.serve(node, call as PolicyChannelCall);
        });
      },
      watchPolicy: this.stream<PolicyUpdate | EncodedMessage>('WatchPolicy', 'policy', (node, request) =>
        this.policies.catchUp(node, Number((request as { currentVersion?: number }).currentVersion ?? 0)),
      ),
      watchDesiredState: this.stream<DesiredState>('WatchDesiredState', 'desired_state', (node, _request, call) => this.desiredState.current(node, call)),
      ackPolicy: this.unary('AckPolicy', true, async (request, node) => {
        await this.policies.acknowledge(node!, request);
        return {};
      }),
      reportModelState: this.unary('ReportModelState', true, async (request, node) => {
        await this.modelReports.report(node!, request);
        return {};
      }),
      uploadAudit: this.unary('UploadAudit', true, (request, node) => this.audit.ingest(node!, request)),
      fetchArtifact: (call) => {
        void this.guard('FetchArtifact', call as ServerWritableStream<unknown, unknown>, async () => {
          const node = await this.auth.authenticate(call.metadata, `${AGENT_SERVICE_PATH}/FetchArtifact`, call.request);
          await this.artifacts.deliver(node, call);
        });
      },
    };
  }

  private unary<Req, Res>(method: string, authenticated: boolean, handle: (request: Req, node: NodeIdentity | undefined, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const started = process.hrtime.bigint();
      let timer: NodeJS.Timeout | undefined;
      const work = (async () => {
        const node = authenticated ? await this.auth.authenticate(call.metadata, `${AGENT_SERVICE_PATH}/${method}`, call.request) : undefined;
        return handle(call.request, node, call);
      })();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AgentRpcError(GrpcStatus.DEADLINE_EXCEEDED, 'the control plane took too long')), UNARY_TIMEOUT_MS);
      });
      Promise.race([work, timeout])
        .then((response) => {
          this.metrics.observe(method, 'OK', started);
          callback(null, response);
        })
        .catch((error: unknown) => {
          const serviceError = toServiceError(error);
          if (serviceError.code === GrpcStatus.INTERNAL) this.logger.error({ err: error, method }, 'agent call failed');
          this.metrics.observe(method, GrpcStatus[serviceError.code], started);
          callback(serviceError, null);
        })
        .finally(() => clearTimeout(timer));
    };
  }

  private stream<Message>(method: string, kind: StreamKind, initial?: (node: NodeIdentity, request: unknown, call: ServerWritableStream<unknown, unknown>) => Promise<Message[]>) {
    return (call: ServerWritableStream<unknown, Message>) => {
      void this.guard(method, call, async () => {
        const node = await this.auth.authenticate(call.metadata, `${AGENT_SERVICE_PATH}/${method}`, call.request);
        this.streams.add(node.nodeId, { kind, tenantId: node.tenantId, siteId: node.siteId, call: call as ServerWritableStream<unknown, unknown> });
        // Registered before the first message is read, so a bundle published meanwhile is not missed (at worst sent twice; agents ignore versions they have).
        const first = initial ? await initial(node, call.request, call as ServerWritableStream<unknown, unknown>) : [];
        for (const message of first) if (!call.cancelled) call.write(message);
      });
    };
  }

  /** Runs a stream handler's opening; a refusal ends the stream with its status. */
  private async guard(method: string, call: ServerWritableStream<unknown, unknown>, open: () => Promise<void>): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await open();
      this.metrics.observe(method, 'OK', started);
    } catch (error) {
      const serviceError = toServiceError(error);
      if (serviceError.code === GrpcStatus.INTERNAL) this.logger.error({ err: error, method }, 'agent stream failed');
      this.metrics.observe(method, GrpcStatus[serviceError.code], started);
      call.emit('error', serviceError);
    }
  }

  private cut(nodeId: string): void {
    this.auth.forget(nodeId);
    const closed = this.streams.close(nodeId, GrpcStatus.PERMISSION_DENIED, 'node has been revoked');
    if (closed > 0) this.logger.log({ nodeId, streams: closed }, 'closed streams of revoked node');
  }

  private async sweepRevoked(): Promise<void> {
    try {
      for (const nodeId of await this.auth.revokedAmong(this.streams.nodeIds())) this.cut(nodeId);
    } catch (error) {
      this.logger.warn({ err: error }, 'revocation sweep failed');
    }
  }
}
