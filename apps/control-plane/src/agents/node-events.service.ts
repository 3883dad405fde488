import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { DESIRED_STATE_CHANNEL, DESIRED_STATE_EVENT_CHUNK, POLICY_BUNDLE_CHANNEL, type DesiredStateEvent, type PolicyBundleEvent } from '@meridian/jobs';
import { InjectConfig } from '../config/config.module';
import { closeRedis, InjectRedis, logConnectionErrors } from '../redis/redis.module';

export interface NodeRevokedEvent {
  nodeId: string;
  tenantId: string;
}

type Listener = (event: NodeRevokedEvent) => void;

/**
 * Fleet events fanned out to every control-plane replica through Redis pub/sub: the replica that
 * handles the REST call is rarely the one holding the agent's streams.
 */
@Injectable()
export class NodeEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodeEventsService.name);
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly bundleListeners = new Set<(event: PolicyBundleEvent) => void>();
  private readonly desiredStateListeners = new Set<(event: DesiredStateEvent) => void>();
  private readonly channel: string;
  private readonly bundleChannel: string;
  private readonly desiredStateChannel: string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() config: AppConfig,
  ) {
    this.channel = `${config.redis.queuePrefix}:events:node-revoked`;
    this.bundleChannel = `${config.redis.queuePrefix}:${POLICY_BUNDLE_CHANNEL}`;
    this.desiredStateChannel = `${config.redis.queuePrefix}:${DESIRED_STATE_CHANNEL}`;
  }

  onModuleInit(): void {
    this.subscriber = this.redis.duplicate({ connectionName: 'meridian-api-events', enableOfflineQueue: true, maxRetriesPerRequest: null });
    logConnectionErrors(this.subscriber, 'events');
    this.subscriber.on('message', (channel, payload) => {
      try {
        if (channel === this.channel) {
          const event = JSON.parse(payload) as NodeRevokedEvent;
          for (const listener of this.listeners) listener(event);
        } else if (channel === this.bundleChannel) {
          const event = JSON.parse(payload) as PolicyBundleEvent;
          for (const listener of this.bundleListeners) listener(event);
        } else if (channel === this.desiredStateChannel) {
          const event = JSON.parse(payload) as DesiredStateEvent;
          for (const listener of this.desiredStateListeners) listener(event);
        }
      } catch (error) {
        this.logger.warn({ err: error, channel }, 'ignored malformed event');
      }
    });
    // Not awaited: with Redis down the API still starts (and reports not ready); ioredis subscribes once connected.
    this.subscriber.subscribe(this.channel, this.bundleChannel, this.desiredStateChannel).catch((error: unknown) => this.logger.warn({ err: error }, 'node events subscription failed'));
  }

  async onModuleDestroy(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
  }

  onRevoked(listener: Listener): void {
    this.listeners.add(listener);
  }

  /** A new bundle was compiled (by any worker): push it to the site's agents connected here. */
  onPolicyBundle(listener: (event: PolicyBundleEvent) => void): void {
    this.bundleListeners.add(listener);
  }

  /** Nodes whose desired model state changed (announced by the API or a worker): push it to those connected here. */
  onDesiredState(listener: (event: DesiredStateEvent) => void): void {
    this.desiredStateListeners.add(listener);
  }

  async publishDesiredState(tenantId: string, nodeIds: string[]): Promise<void> {
    for (let start = 0; start < nodeIds.length; start += DESIRED_STATE_EVENT_CHUNK) {
      const event: DesiredStateEvent = { tenantId, nodeIds: nodeIds.slice(start, start + DESIRED_STATE_EVENT_CHUNK) };
      await this.redis.publish(this.desiredStateChannel, JSON.stringify(event));
    }
  }

  async publishRevoked(event: NodeRevokedEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(event));
  }
}
