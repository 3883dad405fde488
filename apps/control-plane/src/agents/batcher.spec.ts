import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher';

describe('Batcher', () => {
  it('answers requests made together with one call, each with its own result or error', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, string>(
      async (inputs) => {
        calls.push(inputs);
        return inputs.map((n) => (n < 0 ? new Error(`negative ${n}`) : `#${n}`));
      },
      { maxSize: 3, maxWaitMs: 5 },
    );
    const results = await Promise.allSettled([1, -2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(calls).toEqual([
      [1, -2, 3],
      [4, 5],
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['#1', 'negative -2', '#3', '#4', '#5']);
  });

  it('rejects every request of a batch whose call fails, and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(
      async (inputs) => {
        if (fail) throw new Error('database down');
        return inputs;
      },
      { maxSize: 10, maxWaitMs: 1 },
    );
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('database down');
    fail = false;
    await expect(batcher.submit(3)).resolves.toBe(3);
  });
});
