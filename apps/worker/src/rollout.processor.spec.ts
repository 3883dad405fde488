import { describe, expect, it } from 'vitest';
import { ROLLOUT_JOBS } from '@meridian/jobs';
import { RolloutProcessor } from './rollout.processor';
import type { TenantDb } from './tenant-db.service';
import type { EventsService } from './events.service';

describe('rollout processor', () => {
  const processor = new RolloutProcessor({} as TenantDb, {} as EventsService, { rollouts: { tickMs: 1000 } } as never, {} as never);

  it('has a handler for every rollout job name', () => {
    expect(Object.keys(processor.handlers).sort()).toEqual(Object.values(ROLLOUT_JOBS).sort());
  });

  it('fails a job with an unknown name', async () => {
    await expect(processor.process({ name: 'no-such-job', data: {} } as never)).rejects.toThrow(/no handler/);
  });
});
