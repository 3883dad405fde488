import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from './backoff';

describe('Backoff', () => {
  it('grows exponentially up to the cap', () => {
    const backoff = new Backoff(100, 1_000, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('jitters within [0, ceiling]', () => {
    const backoff = new Backoff(100, 1_000);
    for (let i = 0; i < 200; i += 1) {
      const ceiling = backoff.ceilingMs;
      const wait = backoff.next();
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(ceiling);
    }
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff(100, 1_000, () => 0.5);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });

  it('sleeps can be cut short', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort();
    await slept;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
