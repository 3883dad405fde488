import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
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
  private readonly channel: string;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() config: AppConfig,
  ) {
    this.channel = `${config.redis.queuePrefix}:events:node-revoked`;
  }

  onModuleInit(): void {
    this.subscriber = this.redis.duplicate({ connectionName: 'meridian-api-events', enableOfflineQueue: true, maxRetriesPerRequest: null });
    logConnectionErrors(this.subscriber, 'events');
    this.subscriber.on('message', (channel, payload) => {
      if (channel !== this.channel) return;
      try {
        const event = JSON.parse(payload) as NodeRevokedEvent;
        for (const listener of this.listeners) listener(event);
      } catch (error) {
        this.logger.warn({ err: error }, 'ignored malformed node event');
      }
    });
    // Not awaited: with Redis down the API still starts (and reports not ready); ioredis subscribes once connected.
    this.subscriber.subscribe(this.channel).catch((error: unknown) => this.logger.warn({ err: error }, 'node events subscription failed'));
  }

  async onModuleDestroy(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
  }

  onRevoked(listener: Listener): void {
    this.listeners.add(listener);
  }

  async publishRevoked(event: NodeRevokedEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(event));
  }
}
