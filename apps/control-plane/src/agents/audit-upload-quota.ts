import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';
import { InjectRedis } from '../redis/redis.module';
import { takeTokensOrLetThrough, type TokenBucket } from '../redis/token-bucket';
import { rateLimited } from './rate-limited';

/** While Redis is unreachable, one warning per this interval (not one per batch). */
const UNAVAILABLE_WARNING_INTERVAL_MS = 60_000;

/**
 * Per-node quota on UploadAudit, in events: a node earns AGENT_AUDIT_EVENTS_PER_SECOND and may hold up
 * to AGENT_AUDIT_BURST_EVENTS (at least a full batch: loadConfig checks it), in one bucket per node shared by every replica (Redis). One enrolled
 * node, or a stolen node identity, cannot take the whole audit ingest or fill the database; an agent
 * that is refused keeps its records and sends them again later. When Redis is unreachable, uploads are
 * let through: they are still signed by the node and verified, only no longer metered.
 */
@Injectable()
export class AuditUploadQuota {
  private readonly logger = new Logger(AuditUploadQuota.name);
  private lastWarningAt = -Infinity;
  private letThroughSinceWarning = 0;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Takes `events` from the node's bucket before its batch is stored; RESOURCE_EXHAUSTED with a retry hint when fewer are left. */
  async take(nodeId: string, events: number): Promise<void> {
    const { auditEventsPerSecond, auditBurstEvents } = this.config.agents;
    const bucket: TokenBucket = { key: `${this.config.redis.queuePrefix}:audit-upload:${nodeId}`, capacity: auditBurstEvents, refillMs: 1000 / auditEventsPerSecond };
    const verdict = await takeTokensOrLetThrough(this.redis, bucket, events, (error) => this.letThrough(error));
    if (!verdict.allowed) {
      const seconds = Math.max(0.1, Math.ceil(verdict.waitMs / 100) / 10);
      throw rateLimited(
        `audit upload rate of this node exceeded (${auditEventsPerSecond} events/s, burst ${auditBurstEvents}): nothing of this batch of ${events} events was stored; retry in ${seconds} s`,
        verdict.waitMs,
      );
    }
  }

  private letThrough(error: Error): void {
    this.letThroughSinceWarning += 1;
    const now = Date.now();
    if (now - this.lastWarningAt < UNAVAILABLE_WARNING_INTERVAL_MS) return;
    this.logger.warn({ err: error.message, batches: this.letThroughSinceWarning }, 'audit upload quota unavailable (Redis); batches let through unmetered');
    this.lastWarningAt = now;
    this.letThroughSinceWarning = 0;
  }
}
