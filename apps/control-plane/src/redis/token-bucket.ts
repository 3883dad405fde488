import type { Redis } from 'ioredis';

/**
 * Token bucket in Redis (so every replica sees the same bucket), timed by Redis's own clock.
 * ARGV: capacity, refill interval in ms (fractional for more than one token a ms: 0.5 is 2,000 a
 * second), cost. A cost n > 0 takes n tokens if that many are left (check and take in one atomic
 * step, all or nothing, so concurrent attempts cannot overshoot the burst), -1 gives one back
 * (capped at capacity), 0 only looks. Returns {allowed 0|1, ms until max(cost, 1) tokens are there}.
 * Whole milliseconds go out (PEXPIRE and the reply take integers): rounded up, never down.
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local need = math.max(cost, 1)
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
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens + 1) * refill_ms))
local wait = 0
if tokens < need then wait = math.ceil((need - tokens) * refill_ms - (now - at)) end
return {allowed, wait}
`;

export interface TokenBucket {
  /** Redis key of the bucket. */
  key: string;
  /** Most tokens the bucket holds (the burst). */
  capacity: number;
  /** Milliseconds per token earned back; may be below 1. */
  refillMs: number;
}

/**
 * Runs the bucket: `cost` > 0 takes that many tokens (or none), -1 gives one back, 0 looks.
 * `waitMs` is the time until `max(cost, 1)` tokens are there. Rejects when Redis does: the caller
 * decides whether to fail open or closed.
 */
export async function takeTokens(redis: Redis, bucket: TokenBucket, cost: number): Promise<{ allowed: boolean; waitMs: number }> {
  const [allowed, waitMs] = (await redis.eval(TOKEN_BUCKET, 1, bucket.key, bucket.capacity, bucket.refillMs, cost)) as [number, number];
  return { allowed: allowed === 1, waitMs: Math.max(0, waitMs) };
}


/**
 * takeTokens for limits that fail open: while Redis cannot answer, the attempt is let through and
 * `unavailable` is told why (each caller logs in its own way), since the limit guards against abuse and
 * the real check (a token, a password, a signature) still applies.
 */
export async function takeTokensOrLetThrough(redis: Redis, bucket: TokenBucket, cost: number, unavailable: (error: Error) => void): Promise<{ allowed: boolean; waitMs: number }> {
  try {
    return await takeTokens(redis, bucket, cost);
  } catch (error) {
    unavailable(error as Error);
    return { allowed: true, waitMs: 0 };
  }
}

/** A wait as the whole seconds a refusal states (Retry-After, "retry in N s"): rounded up, at least 1. */
export function wholeSecondsToWait(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
