import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';
import { InjectRedis } from '../redis/redis.module';
import type { AgentRpcError } from './agent-rpc-error';
import { takeTokensOrLetThrough, wholeSecondsToWait } from '../redis/token-bucket';
import { rateLimited } from './rate-limited';

/**
 * Throttles enrollment guessing: each peer address may fail `burst` times, then earns one more try
 * every `refillSeconds`. Every attempt reserves a try up front (atomically with the check, so a
 * burst of parallel guesses cannot all slip past an almost-empty bucket) and gives it back unless
 * the attempt turned out to be a guess (see EnrollmentService): a site enrolling gateways through one
 * NAT with valid tokens does not use up its budget, and one peer's flood never blocks any other peer.
 * Once an address has used up its budget, it is refused (valid token or not) until it earns a try back:
 * telling a valid token apart costs the same proof check and database lookup a guess does.
 * When Redis is unreachable the limiter lets attempts through (enrollment still needs a valid,
 * single-use token; authentication of enrolled nodes fails closed on its own).
 */
@Injectable()
export class EnrollmentRateLimiter {
  private readonly logger = new Logger(EnrollmentRateLimiter.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Takes one try from the peer's bucket before an attempt; refuses with RESOURCE_EXHAUSTED (and a
   * retry hint) when none is left. Pair with refund() when the attempt was not a failed guess.
   */
  async reserve(peer: string): Promise<void> {
    const [allowed, waitMs] = await this.run(peer, 1);
    if (!allowed) throw exhausted(waitMs);
  }

  /** Gives back a try taken by reserve() (never beyond the burst). */
  async refund(peer: string): Promise<void> {
    await this.run(peer, -1);
  }

  private async run(peer: string, cost: number): Promise<[boolean, number]> {
    const { enrollFailureBurst, enrollFailureRefillSeconds } = this.config.agents;
    const { allowed, waitMs } = await takeTokensOrLetThrough(
      this.redis,
      { key: `${this.config.redis.queuePrefix}:enroll-failures:${peer}`, capacity: enrollFailureBurst, refillMs: enrollFailureRefillSeconds * 1000 },
      cost,
      (error) => this.logger.warn({ err: error.message, peer }, 'enrollment rate limiter unavailable; attempt let through'),
    );
    return [allowed, waitMs];
  }
}

function exhausted(waitMs: number): AgentRpcError {
  return rateLimited(`too many failed enrollment attempts from this address; retry in ${wholeSecondsToWait(waitMs)} s`, waitMs);
}

/** The address part of a grpc-js peer ("127.0.0.1:5000", "[::1]:5000", "ipv4:…"): the bucket key. */
export function peerAddress(peer: string): string {
  const trimmed = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(trimmed);
  if (v4) return v4[1]!;
  return trimmed.slice(0, 100) || 'unknown';
}
