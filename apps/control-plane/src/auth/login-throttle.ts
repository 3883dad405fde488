import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { TooManyRequests } from '../common/problem';
import { InjectConfig } from '../config/config.module';
import { InjectRedis } from '../redis/redis.module';
import { takeTokensOrLetThrough, wholeSecondsToWait, type TokenBucket } from '../redis/token-bucket';

/** One login attempt's hold on its two buckets; give it back (`succeeded`) unless the password was wrong. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/**
 * Throttles password guessing with two token buckets in Redis (shared by replicas), charged by
 * failed logins only: one per account (however many addresses guess at it) and one per client
 * address (however many accounts it tries). Each attempt takes a try from both up front, atomically
 * with the check, so parallel guesses cannot slip past an almost-empty bucket; a successful login
 * gives both back. The account bucket means someone can hold an account's logins off by failing on
 * purpose, for as long as they keep failing: the price of stopping a distributed guess at one account.
 * When Redis is unreachable logins go through unthrottled (the password check still applies), as
 * enrollment does.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Takes a try for the account and the address, or refuses with 429 and when to come back. */
  async attempt(email: string, address: string): Promise<LoginAttempt> {
    const { account, client } = this.buckets(email, address);
    const forAccount = await this.take(account, 1);
    if (!forAccount.allowed) throw refused('this account', forAccount.waitMs);
    const forAddress = await this.take(client, 1);
    if (!forAddress.allowed) {
      await this.take(account, -1);
      throw refused('this address', forAddress.waitMs);
    }
    return {
      succeeded: async () => {
        await Promise.all([this.take(account, -1), this.take(client, -1)]);
      },
    };
  }

  private buckets(email: string, address: string): { account: TokenBucket; client: TokenBucket } {
    const { accountBurst, accountRefillSeconds, addressBurst, addressRefillSeconds } = this.config.auth.loginFailures;
    const prefix = `${this.config.redis.queuePrefix}:login-failures`;
    // Hashed: no e-mail addresses (or attacker-chosen strings of any length) as Redis keys.
    const accountKey = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32);
    return {
      account: { key: `${prefix}:account:${accountKey}`, capacity: accountBurst, refillMs: accountRefillSeconds * 1000 },
      client: { key: `${prefix}:address:${address.slice(0, 64)}`, capacity: addressBurst, refillMs: addressRefillSeconds * 1000 },
    };
  }

  private take(bucket: TokenBucket, cost: number): Promise<{ allowed: boolean; waitMs: number }> {
    return takeTokensOrLetThrough(this.redis, bucket, cost, (error) => this.logger.warn({ err: error.message }, 'login throttle unavailable; attempt let through'));
  }
}

function refused(from: string, waitMs: number): TooManyRequests {
  return new TooManyRequests(`too many failed logins for ${from}; retry in ${wholeSecondsToWait(waitMs)} s`, waitMs);
}
