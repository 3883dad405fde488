import { Injectable, Logger } from '@nestjs/common';
import { status as GrpcStatus, type ServerDuplexStream, type ServerWritableStream } from '@grpc/grpc-js';
import type { AppConfig } from '@meridian/config';
import type { PolicyChannelRequest, PolicyUpdate } from '@meridian/protocol';
import { InjectConfig } from '../config/config.module';
import type { NodeIdentity } from './agent-auth.service';
import { MAX_POLICY_VERSION, SHA256_HEX } from './agent-messages';
import { AgentRpcError, invalidArgument, toServiceError } from './agent-rpc-error';
import type { EncodedMessage } from './encoded-message';
import { PolicyPushService } from './policy-push.service';
import { StreamRegistry } from './stream-registry';

export type PolicyChannelCall = ServerDuplexStream<PolicyChannelRequest, PolicyUpdate | EncodedMessage>;

/**
 * The server side of PolicyChannel, once the node is authenticated: bundles go out as on
 * WatchPolicy, acknowledgements come back on the same stream. Messages of one stream are handled
 * one at a time (the stream is paused meanwhile), so a node cannot queue unbounded work, and an
 * acknowledgement is recorded in the order the node sent it.
 */
@Injectable()
export class PolicyChannelService {
  private readonly logger = new Logger(PolicyChannelService.name);

  /** A node that opens the channel and says nothing holds a stream slot for no purpose. */
  private readonly helloTimeoutMs: number;

  constructor(
    private readonly policies: PolicyPushService,
    private readonly streams: StreamRegistry,
    @InjectConfig() config: AppConfig,
  ) {
    this.helloTimeoutMs = config.agents.policyHelloTimeoutSeconds * 1000;
  }

  serve(node: NodeIdentity, call: PolicyChannelCall): void {
    let greeted = false;
    const helloTimer = setTimeout(
      () => this.fail(call, new AgentRpcError(GrpcStatus.DEADLINE_EXCEEDED, `no hello within ${this.helloTimeoutMs / 1000} s of opening the policy channel`)),
      this.helloTimeoutMs,
    );
    helloTimer.unref();
    // Registered before the hello is read, so a bundle published meanwhile is not missed (at worst sent twice; agents ignore versions they have).
    this.streams.add(node.nodeId, { kind: 'policy', tenantId: node.tenantId, siteId: node.siteId, call: call as unknown as ServerWritableStream<unknown, unknown> }, () => clearTimeout(helloTimer));

    call.on('data', (message: PolicyChannelRequest) => {
      call.pause();
      const handled = greeted ? this.acknowledge(node, message) : this.greet(node, call, message);
      greeted = true;
      clearTimeout(helloTimer);
      handled.then(
        () => call.resume(),
        (error: unknown) => this.fail(call, error),
      );
    });
  }

  private async greet(node: NodeIdentity, call: PolicyChannelCall, message: PolicyChannelRequest): Promise<void> {
    if (!message.hello || message.ack) throw invalidArgument('the first message on the policy channel must be a hello (and only a hello)');
    const { currentVersion, currentDigest } = message.hello;
    if (!Number.isSafeInteger(currentVersion) || currentVersion < 0 || currentVersion > MAX_POLICY_VERSION) throw invalidArgument(`hello.current_version must be an integer from 0 to ${MAX_POLICY_VERSION}`);
    if (currentDigest !== '' && !SHA256_HEX.test(currentDigest)) throw invalidArgument('hello.current_digest must be empty or a sha256 digest (64 hex characters)');
    for (const update of await this.policies.catchUp(node, currentVersion)) if (!call.cancelled) call.write(update);
    // What the node holds counts as acknowledged: an ack lost with the previous stream is made good
    // here. A bundle unknown for the node's site is not recorded; the stream is served all the same.
    if (currentVersion > 0 && currentDigest !== '') {
      await this.policies.acknowledge(node, { version: currentVersion, digest: currentDigest, applied: true, error: '' }).catch((error: unknown) => {
        if (error instanceof AgentRpcError && error.code === GrpcStatus.INVALID_ARGUMENT) this.logger.warn({ nodeId: node.nodeId, version: currentVersion, reason: error.message }, 'hello names a bundle this site does not have');
        else throw error;
      });
    }
  }

  private acknowledge(node: NodeIdentity, message: PolicyChannelRequest): Promise<void> {
    if (!message.ack || message.hello) return Promise.reject(invalidArgument('after the hello, every message on the policy channel must be an ack (and only an ack)'));
    return this.policies.acknowledge(node, message.ack);
  }

  /** Ends the stream with the refusal's status; the node reconnects (with its backoff) and says hello again. */
  private fail(call: PolicyChannelCall, error: unknown): void {
    if (call.cancelled || call.writableEnded) return;
    const serviceError = toServiceError(error);
    if (serviceError.code === GrpcStatus.INTERNAL) this.logger.error({ err: error }, 'policy channel failed');
    call.emit('error', serviceError);
  }
}
