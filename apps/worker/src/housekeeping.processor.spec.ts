import { describe, expect, it } from 'vitest';
import { HOUSEKEEPING_JOBS } from '@meridian/jobs';
import { assertHandlersCover, HousekeepingProcessor } from './housekeeping.processor';
import type { TenantDb } from './tenant-db.service';

describe('housekeeping processor', () => {
  it('has a handler for every job name', () => {
    const processor = new HousekeepingProcessor({} as TenantDb);
    expect(Object.keys(processor.handlers).sort()).toEqual(Object.values(HOUSEKEEPING_JOBS).sort());
  });

  it('refuses to boot with a missing or unknown handler', () => {
    expect(() => assertHandlersCover({}, ['a'])).toThrow(/missing \[a\]/);
    expect(() => assertHandlersCover({ a: () => 1, b: () => 2 }, ['a'])).toThrow(/unknown \[b\]/);
  });

  it('fails a job with an unknown name', async () => {
    const processor = new HousekeepingProcessor({} as TenantDb);
    await expect(processor.process({ name: 'no-such-job', data: {} } as never)).rejects.toThrow(/no handler/);
  });
});
