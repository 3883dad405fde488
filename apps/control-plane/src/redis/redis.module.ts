import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { APP_CONFIG } from '../config/config.module';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/** One shared connection for health checks and pub/sub publishing; BullMQ opens its own. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // Auto-pipelining: the per-call nonce checks of thousands of agents go out in one write per tick, not one syscall each.
        const redis = new Redis(config.redis.url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: false, enableAutoPipelining: true, connectionName: 'meridian-api' });
        logConnectionErrors(redis, 'redis');
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}

/**
 * Redis being down must not crash or hang the API (readiness reports it); it reconnects on its own.
 * Errors are logged, at most once per 10 s per connection.
 */
export function logConnectionErrors(redis: Redis, name: string): void {
  const logger = new Logger('Redis');
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn({ connection: name, err: error.message }, 'redis connection error');
  });
}

/** QUIT when connected (flushes replies in flight); otherwise just drop the socket, since QUIT would wait for a connection that may never come. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
