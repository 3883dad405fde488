import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { DESIRED_STATE_CHANNEL, DESIRED_STATE_EVENT_CHUNK, POLICY_BUNDLE_CHANNEL, type DesiredStateEvent, type PolicyBundleEvent } from '@meridian/jobs';
import { InjectConfig } from './config.module';

/** Announces results to every control-plane replica (they hold the agents' streams). */
@Injectable()
export class EventsService implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@InjectConfig() config: AppConfig) {
    this.redis = new Redis(config.redis.url, { connectionName: 'meridian-worker-events', maxRetriesPerRequest: 3 });
    this.redis.on('error', () => undefined); // reconnects by itself; a failed publish fails the job, which retries
    this.prefix = config.redis.queuePrefix;
  }

  async policyBundle(event: PolicyBundleEvent): Promise<void> {
    await this.redis.publish(`${this.prefix}:${POLICY_BUNDLE_CHANNEL}`, JSON.stringify(event));
  }

  /** These nodes' desired model state changed: the replicas holding their streams push it. */
  async desiredState(tenantId: string, nodeIds: string[]): Promise<void> {
    for (let start = 0; start < nodeIds.length; start += DESIRED_STATE_EVENT_CHUNK) {
      const event: DesiredStateEvent = { tenantId, nodeIds: nodeIds.slice(start, start + DESIRED_STATE_EVENT_CHUNK) };
      await this.redis.publish(`${this.prefix}:${DESIRED_STATE_CHANNEL}`, JSON.stringify(event));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
