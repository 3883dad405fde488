import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { POLICY_BUNDLE_CHANNEL, type PolicyBundleEvent } from '@meridian/jobs';
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

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
