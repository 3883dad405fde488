import { Injectable, Logger } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';
import { InjectRedis } from '../redis/redis.module';
import { AgentRpcError } from './agent-rpc-error';

/**
 * Token bucket in Redis (so every replica sees the same bucket), timed by Redis's own clock.
 * ARGV: capacity, refill interval in ms, cost. cost 1 takes a token if one is left (check and take
 * in one atomic step, so concurrent attempts cannot overshoot the burst), -1 gives one back (capped
 * at capacity), 0 only looks. Returns {allowed 0|1, ms until the next token}.
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
local earned = math.floor((now - at) / refill_ms)
if earned > 0 then
  tokens = math.min(capacity, tokens + earned)
  at = at + earned * refill_ms
end
if tokens >= capacity then at = now end
local allowed = 0
if cost > 0 then
  if tokens >= cost then
    allowed = 1
    tokens = tokens - cost
  end
else
  if tokens >= 1 then allowed = 1 end
  if cost < 0 then
    tokens = math.min(capacity, tokens - cost)
    if tokens >= capacity then at = now end
  end
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
redis.call('PEXPIRE', KEYS[1], (capacity - tokens + 1) * refill_ms)
local wait = 0
if tokens < 1 then wait = refill_ms - (now - at) end
return {allowed, wait}
`;

export const RETRY_AFTER_METADATA = 'retry-after-ms';

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
    try {
      const [allowed, waitMs] = (await this.redis.eval(
        TOKEN_BUCKET,
        1,
        `${this.config.redis.queuePrefix}:enroll-failures:${peer}`,
        enrollFailureBurst,
        enrollFailureRefillSeconds * 1000,
        cost,
      )) as [number, number];
      return [allowed === 1, Math.max(0, waitMs)];
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, peer }, 'enrollment rate limiter unavailable; attempt let through');
      return [true, 0];
    }
  }
}

function exhausted(waitMs: number): AgentRpcError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const error = new AgentRpcError(GrpcStatus.RESOURCE_EXHAUSTED, `too many failed enrollment attempts from this address; retry in ${seconds} s`);
  error.metadata = new Metadata();
  error.metadata.set(RETRY_AFTER_METADATA, String(Math.max(1, waitMs)));
  return error;
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
