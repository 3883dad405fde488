import type { Logger } from '@nestjs/common';
import type { JobSchedulerTemplateOptions, Queue, RepeatOptions } from 'bullmq';

/**
 * Registers a job scheduler now, and again every time the queue's Redis connection becomes ready
 * after a loss. A Redis restarted without persistence (the default here) comes back empty: without
 * this, the sweeps the schedulers fire — rollouts advancing, audit checkpoints — would stop until a
 * worker restarted. Upserting is idempotent, so a Redis that kept its data is left as it was.
 */
export async function keepJobScheduler(
  queue: Queue,
  schedulerId: string,
  repeat: Omit<RepeatOptions, 'key'>,
  template: { name: string; data: object; opts?: JobSchedulerTemplateOptions },
  logger: Pick<Logger, 'log' | 'warn'>,
): Promise<void> {
  const upsert = () => queue.upsertJobScheduler(schedulerId, repeat, template);
  await upsert();
  // The backend re-emits its connection's 'ready', which ioredis emits again after every reconnect.
  queue.getBackend().on('ready', () => {
    upsert().then(
      () => logger.log({ schedulerId }, 'job scheduler registered again after the Redis connection came back'),
      (error: unknown) => logger.warn({ schedulerId, err: String(error) }, 'could not register the job scheduler again; retried at the next reconnect or worker start'),
    );
  });
}
