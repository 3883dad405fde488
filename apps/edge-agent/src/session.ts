import { status as GrpcStatus, type ClientDuplexStream, type ClientReadableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { DesiredState, PolicyAck, PolicyChannelRequest, PolicyUpdate } from '@meridian/protocol';
import { Backoff, sleep } from './backoff';
import { isServiceError, type ControlPlaneClient } from './control-plane-client';
import type { AgentState } from './state';

// A stream that stayed up this long counts as healthy: the next failure starts the backoff afresh.
const HEALTHY_STREAM_MS = 10_000;

export interface SessionOptions {
  heartbeatIntervalSeconds: number;
  backoff: { initialMs: number; maxMs: number };
}

type Handler<T> = (message: T) => void | Promise<void>;
/** Applies a bundle; returns the acknowledgement to send, or nothing when there is nothing to report. */
type PolicyHandler = (update: PolicyUpdate) => Promise<PolicyAck | undefined>;

/**
 * The agent's connection to the control plane: periodic heartbeats and two long-lived server
 * streams, each re-opened after any failure with jittered exponential backoff. It never gives up
 * and never takes the local API down with it.
 */
export class Session {
  private readonly stopController = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly openStreams = new Set<ClientReadableStream<unknown>>();
  private policyHandler: PolicyHandler | undefined;
  /** Set once the control plane answers PolicyChannel with UNIMPLEMENTED (it predates it): WatchPolicy and AckPolicy from then on. */
  private legacyPolicyCalls = false;
  private desiredStateHandler: Handler<DesiredState> | undefined;
  private heartbeatIntervalSeconds: number;
  /** When the control plane last refused this node (revoked, unknown, bad signature): 0 if never. */
  private refusedAt = 0;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly state: AgentState,
    private readonly logger: Logger,
    private readonly options: SessionOptions,
  ) {
    this.heartbeatIntervalSeconds = options.heartbeatIntervalSeconds;
  }

  onPolicyUpdate(handler: PolicyHandler): void {
    this.policyHandler = handler;
  }

  onDesiredState(handler: Handler<DesiredState>): void {
    this.desiredStateHandler = handler;
  }

  start(): void {
    this.loops.push(this.heartbeatLoop());
    this.loops.push(this.streamLoop('policy', () => this.openPolicyStream(), (update: PolicyUpdate, stream) => this.handlePolicyUpdate(update, stream)));
    this.loops.push(this.streamLoop('desired_state', () => this.client.watchDesiredState(0), (m: DesiredState) => this.desiredStateHandler?.(m)));
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    for (const stream of this.openStreams) stream.cancel();
    await Promise.allSettled(this.loops);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async heartbeatLoop(): Promise<void> {
    const backoff = new Backoff(this.options.backoff.initialMs, this.options.backoff.maxMs);
    while (!this.stopped) {
      const startedAt = Date.now();
      try {
        const response = await this.client.heartbeat({
          agentVersion: this.state.agentVersion,
          policyVersion: this.state.policyVersion,
          policyDigest: this.state.policyDigest,
          models: this.state.models,
          uptimeSeconds: Math.floor((Date.now() - this.state.startedAt) / 1000),
          inference: this.state.inference,
          auditPendingEvents: this.state.auditPendingEvents,
        });
        if (response.heartbeatIntervalSeconds > 0) this.heartbeatIntervalSeconds = response.heartbeatIntervalSeconds;
        this.markConnected(startedAt);
        this.state.lastHeartbeatAt = new Date().toISOString();
        this.logger.debug({ serverTime: response.serverTimeUnixMs }, 'heartbeat acknowledged');
        backoff.reset();
        await sleep(this.heartbeatIntervalSeconds * 1000, this.stopController.signal);
      } catch (error) {
        if (this.stopped) return;
        this.markFailed('heartbeat', error);
        await sleep(Math.max(this.retryDelay(backoff, error), 100), this.stopController.signal);
      }
    }
  }

  /**
   * The policy channel (acknowledgements travel on the stream itself), or, with a control plane
   * that predates it, WatchPolicy plus an AckPolicy call per bundle.
   */
  private openPolicyStream(): ClientReadableStream<PolicyUpdate> {
    if (this.legacyPolicyCalls) return this.client.watchPolicy(this.state.policyVersion);
    const channel = this.client.policyChannel();
    // The digest too: the control plane records what this node enforces even if an acknowledgement was lost with the last stream.
    channel.write({ hello: { currentVersion: this.state.policyVersion, currentDigest: this.state.policyDigest } } satisfies PolicyChannelRequest);
    return channel;
  }

  private async handlePolicyUpdate(update: PolicyUpdate, stream: ClientReadableStream<PolicyUpdate>): Promise<void> {
    const ack = await this.policyHandler?.(update);
    if (!ack) return;
    if (isDuplex(stream)) {
      // A stream that broke meanwhile loses the acknowledgement; the hello of the next one names the bundle, which records it.
      if (stream.writable) stream.write({ ack } satisfies PolicyChannelRequest);
      return;
    }
    await this.client.ackPolicy(ack).catch((error: unknown) => this.logger.warn({ err: String(error) }, 'policy acknowledgement failed; the next heartbeat reports the version'));
  }

  private async streamLoop<T>(name: string, open: () => ClientReadableStream<T>, handle: (message: T, stream: ClientReadableStream<T>) => void | Promise<void>): Promise<void> {
    const backoff = new Backoff(this.options.backoff.initialMs, this.options.backoff.maxMs);
    while (!this.stopped) {
      const openedAt = Date.now();
      // Messages are handled one at a time, in order: a bundle announcing a new key must be applied
      // before the next one, signed with that key, is verified.
      let handling = Promise.resolve();
      const outcome = await new Promise<{ error?: unknown }>((resolve) => {
        let stream: ClientReadableStream<T>;
        try {
          stream = open();
        } catch (error) {
          resolve({ error });
          return;
        }
        this.openStreams.add(stream as ClientReadableStream<unknown>);
        stream.on('metadata', () => {
          this.markConnected(openedAt);
          this.logger.info({ stream: name }, 'stream open');
        });
        stream.on('data', (message: T) => {
          this.markConnected(openedAt);
          handling = handling
            .then(() => handle(message, stream))
            .catch((error: unknown) => this.logger.error({ err: error, stream: name }, 'stream message handler failed'));
        });
        stream.on('error', (error) => resolve({ error }));
        stream.on('end', () => resolve({}));
      }).finally(() => {
        for (const stream of this.openStreams) if (stream.destroyed) this.openStreams.delete(stream);
      });
      if (this.stopped) return;
      if (name === 'policy' && !this.legacyPolicyCalls && isServiceError(outcome.error) && outcome.error.code === GrpcStatus.UNIMPLEMENTED) {
        this.legacyPolicyCalls = true;
        this.logger.info('the control plane has no policy channel; using WatchPolicy and AckPolicy');
        continue;
      }
      if (Date.now() - openedAt > HEALTHY_STREAM_MS) backoff.reset();
      if (outcome.error) this.markFailed(`${name} stream`, outcome.error);
      else this.logger.info({ stream: name }, 'stream ended by the control plane; reconnecting');
      await sleep(this.retryDelay(backoff, outcome.error), this.stopController.signal);
    }
  }

  /** Refusals of this node (revoked, unknown) are not going away by themselves: retry, but only at the slowest pace. */
  private retryDelay(backoff: Backoff, error: unknown): number {
    const refused = isServiceError(error) && (error.code === GrpcStatus.UNAUTHENTICATED || error.code === GrpcStatus.PERMISSION_DENIED);
    return refused ? this.options.backoff.maxMs : backoff.next();
  }

  /**
   * `since`: when the call or stream that just succeeded was started. One started before the node was
   * last refused (revoked, unknown) says nothing about now: a heartbeat answered just before the
   * revocation took effect must not mark a refused node connected again.
   */
  private markConnected(since: number): void {
    if (since < this.refusedAt) return;
    if (!this.state.connected) this.logger.info('connected to the control plane');
    this.state.connected = true;
    this.state.lastError = null;
  }

  private markFailed(what: string, error: unknown): void {
    const code = isServiceError(error) ? GrpcStatus[error.code] : 'ERROR';
    const details = isServiceError(error) ? error.details : error instanceof Error ? error.message : String(error);
    const refused = code === 'UNAUTHENTICATED' || code === 'PERMISSION_DENIED';
    if (refused) this.refusedAt = Date.now();
    if (this.state.connected || refused) this.logger[refused ? 'error' : 'warn']({ what, code, details }, refused ? 'control plane refused this node' : 'lost the control plane');
    this.state.connected = false;
    this.state.lastError = `${what}: ${code} ${details}`;
  }
}

const isDuplex = <T>(stream: ClientReadableStream<T>): stream is ClientReadableStream<T> & ClientDuplexStream<PolicyChannelRequest, T> => 'write' in stream;
