import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import type { AppConfig } from '@meridian/config';
import { QUEUES, ROLLOUT_JOBS, type RolloutTickPayload, type RolloutTickResult } from '@meridian/jobs';
import { continueTrace } from '@meridian/telemetry';
import { InjectConfig } from './config.module';
import { EventsService } from './events.service';
import { assertHandlersCover } from './housekeeping.processor';
import { keepJobScheduler } from './job-schedulers';
import { advanceRollout } from './rollout-runner';
import { TenantDb } from './tenant-db.service';

/**
 * Runs rollouts. All state lives in PostgreSQL; a sweep (a BullMQ job scheduler, so it keeps firing
 * whichever workers are alive) advances every running rollout, and a tick job advances one at once
 * after a start or resume. A worker killed mid-step loses only an uncommitted transaction; the next
 * sweep, on any worker, carries on from the database.
 */
const REANNOUNCE_MS = 15_000;

@Processor(QUEUES.rollouts, { concurrency: 2 })
export class RolloutProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RolloutProcessor.name);
  readonly handlers: Record<string, (job: Job) => Promise<unknown>>;
  /** When each rollout's silent nodes were last announced again by this worker. */
  private readonly reannounced = new Map<string, number>();

  constructor(
    private readonly db: TenantDb,
    private readonly events: EventsService,
    @InjectConfig() private readonly config: AppConfig,
    @InjectQueue(QUEUES.rollouts) private readonly queue: Queue,
  ) {
    super();
    this.handlers = {
      [ROLLOUT_JOBS.tick]: (job) => this.tick(job.data as RolloutTickPayload),
      [ROLLOUT_JOBS.sweep]: () => this.sweep(),
    };
    assertHandlersCover(this.handlers, Object.values(ROLLOUT_JOBS));
  }

  async onApplicationBootstrap(): Promise<void> {
    await keepJobScheduler(this.queue, 'rollout-sweep', { every: this.config.rollouts.tickMs }, { name: ROLLOUT_JOBS.sweep, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } }, this.logger);
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const data = job.data as { tenantId?: string; trace?: Record<string, string> };
    return continueTrace(data.trace, `job ${job.name}`, { 'messaging.destination.name': job.queueName, 'meridian.tenant_id': data.tenantId ?? '', 'meridian.job_id': String(job.id) }, () => handler(job));
  }

  private async tick(payload: RolloutTickPayload): Promise<RolloutTickResult> {
    return { rollouts: [{ rolloutId: payload.rolloutId, step: await this.advance(payload.tenantId, payload.rolloutId) }] };
  }

  private async sweep(): Promise<RolloutTickResult> {
    const rollouts: RolloutTickResult['rollouts'] = [];
    for (const tenantId of await this.db.tenantsWithActiveRollouts()) {
      const running = await this.db.run(tenantId, (tx) => tx.rollout.findMany({ where: { status: 'running' }, select: { id: true }, orderBy: { createdAt: 'asc' } }));
      for (const { id } of running) {
        try {
          rollouts.push({ rolloutId: id, step: await this.advance(tenantId, id) });
        } catch (error) {
          // One broken rollout must not stall the others; it is retried at the next sweep.
          this.logger.error({ err: error, tenantId, rolloutId: id }, 'rollout step failed');
        }
      }
    }
    return { rollouts };
  }

  private async advance(tenantId: string, rolloutId: string): Promise<string> {
    const result = await this.db.run(tenantId, (tx) => advanceRollout(tx, rolloutId, new Date()));
    // After commit: agents are told only of desired states that are durable.
    if (result.changed.length) await this.events.desiredState(tenantId, result.changed);
    // At-least-once delivery: the API replicas drop a push a stream already has (same revision), so
    // announcing silent nodes again reaches only those that missed it. Once per REANNOUNCE_MS.
    if (result.silent?.length && Date.now() - (this.reannounced.get(rolloutId) ?? 0) >= REANNOUNCE_MS) {
      this.reannounced.set(rolloutId, Date.now());
      await this.events.desiredState(tenantId, result.silent);
      this.logger.log({ tenantId, rolloutId, nodes: result.silent.length }, 'desired state announced again to silent nodes');
    }
    if (result.step !== 'waiting') this.reannounced.delete(rolloutId);
    if (result.step !== 'idle' && result.step !== 'waiting' && result.step !== 'pausing') this.logger.log({ tenantId, rolloutId, step: result.step, nodes: result.changed.length }, 'rollout advanced');
    return result.step;
  }
}
