import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';
import { InjectRedis } from '../redis/redis.module';

/**
 * Ended sessions, so that their access tokens stop working at once rather than at expiry. Kept in
 * Redis (shared by every replica) for as long as an access token of the session can still be valid;
 * after that the JWT's own expiry refuses it.
 */
@Injectable()
export class SessionRevocations {
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() config: AppConfig,
  ) {
    this.prefix = `${config.redis.queuePrefix}:auth:ended-session:`;
    this.ttlSeconds = config.auth.accessTokenTtlSeconds + 60;
  }

  async end(sessionId: string): Promise<void> {
    await this.redis.set(this.prefix + sessionId, '1', 'EX', this.ttlSeconds).catch((error: unknown) => {
      throw unavailable('the session could not be ended', error);
    });
  }

  /** Fails closed: while Redis cannot answer, a token of a session that may have ended is not accepted (503, retry). */
  async isEnded(sessionId: string): Promise<boolean> {
    const ended = await this.redis.exists(this.prefix + sessionId).catch((error: unknown) => {
      throw unavailable('the session could not be checked', error);
    });
    return ended === 1;
  }
}

function unavailable(what: string, cause: unknown): ServiceUnavailableException {
  return new ServiceUnavailableException(`${what}: the session store (Redis) is unavailable; retry in a few seconds`, { cause });
}
