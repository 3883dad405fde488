import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { QUEUES } from '@meridian/jobs';
import type { Principal } from '../auth/principal';
import { conflict, notFound } from '../common/problem';
import type { JobList, JobQuery, JobState, JobView } from './dto/job.dto';
import { progressView } from './job-progress';
import { HousekeepingProducer } from './housekeeping.producer';

/**
 * Jobs as tenants see them. Queues are shared by all tenants, so every read checks that the job
 * carries the caller's tenant; anybody else's job is "not found".
 */
@Injectable()
export class JobsService {
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(QUEUES.housekeeping) housekeeping: Queue,
    @InjectQueue(QUEUES.governance) governance: Queue,
    @InjectQueue(QUEUES.audit) audit: Queue,
    @InjectQueue(QUEUES.rollouts) rollouts: Queue,
    private readonly producer: HousekeepingProducer,
  ) {
    this.queues = [housekeeping, governance, audit, rollouts];
    const logger = new Logger('Queues');
    for (const queue of this.queues) {
      let lastLogged = 0;
      queue.on('error', (error: Error) => {
        if (Date.now() - lastLogged < 10_000) return;
        lastLogged = Date.now();
        logger.warn({ queue: queue.name, err: error.message }, 'queue connection error');
      });
    }
  }

  async expireEnrollmentTokens(principal: Principal): Promise<JobView> {
    const job = await this.producer.expireEnrollmentTokens({ tenantId: principal.tenantId, requestedBy: principal.subjectId });
    return this.toView(job, 'waiting');
  }

  async get(principal: Principal, id: string): Promise<JobView> {
    const job = await this.ownJob(principal, id);
    const state = (await job.getState()) as JobState;
    // The job was read before its state: if it finished in between, read it again so that a
    // "completed" or "failed" view always carries its result or reason.
    if (state === 'completed' || state === 'failed') {
      const settled = await this.queueOf(job).getJob(String(job.id));
      if (settled) return this.toView(settled, state);
    }
    return this.toView(job, state);
  }

  private queueOf(job: Job): Queue {
    return this.queues.find((queue) => queue.name === job.queueName)!;
  }

  /** For services that start a job and hand its id back to the caller. */
  view(job: Job): JobView {
    return this.toView(job, 'waiting');
  }

  async list(principal: Principal, query: JobQuery): Promise<JobList> {
    const state = query.state ?? 'failed';
    const limit = query.limit ?? 50;
    // Scan a bounded window newest-first in every queue and keep this tenant's jobs.
    const jobs = (await Promise.all(this.queues.map((queue) => queue.getJobs([state], 0, Math.max(limit * 20, 200), false)))).flat();
    const own = jobs
      .filter((job): job is Job => Boolean(job) && job.data?.tenantId === principal.tenantId)
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, limit);
    return { items: own.map((job) => this.toView(job, state)) };
  }

  async retry(principal: Principal, id: string): Promise<JobView> {
    const job = await this.ownJob(principal, id);
    const state = await job.getState();
    if (state !== 'failed') throw conflict(`only failed jobs can be retried; this one is ${state}`);
    await job.retry('failed');
    return this.toView(job, 'waiting');
  }

  private async ownJob(principal: Principal, id: string): Promise<Job> {
    for (const queue of this.queues) {
      const job = await queue.getJob(id);
      if (job && job.data?.tenantId === principal.tenantId) return job;
    }
    throw notFound('job');
  }

  private toView(job: Job, state: JobState): JobView {
    return {
      id: String(job.id),
      queue: job.queueName,
      name: job.name,
      state,
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      progress: progressView(job.progress),
      result: job.returnvalue ?? null,
      failedReason: job.failedReason ?? null,
      createdAt: new Date(job.timestamp),
      processedAt: job.processedOn ? new Date(job.processedOn) : null,
      finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    };
  }
}
