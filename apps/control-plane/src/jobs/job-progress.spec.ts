import { describe, expect, it } from 'vitest';
import { progressView } from './job-progress';

describe('progressView', () => {
  it('shows a percentage a job wrote as a number (exports) and clamps it to 0..100', () => {
    expect(progressView(42)).toEqual({ percent: 42 });
    expect(progressView(33.6)).toEqual({ percent: 34 });
    expect(progressView(140)).toEqual({ percent: 100 });
    expect(progressView(-3)).toEqual({ percent: 0 });
  });

  it('keeps the stage and row counts of a staged job (verifications)', () => {
    expect(progressView({ stage: 'chains', done: 5_000, total: 20_000, percent: 12 })).toEqual({ stage: 'chains', done: 5_000, total: 20_000, percent: 12 });
  });

  it('drops what is not a progress: no percent, wrong types, nothing reported', () => {
    expect(progressView(0)).toEqual({ percent: 0 });
    expect(progressView(undefined)).toBeNull();
    expect(progressView(false)).toBeNull();
    expect(progressView('half')).toBeNull();
    expect(progressView(Number.NaN)).toBeNull();
    expect(progressView({ stage: 'tree', done: 1 })).toBeNull();
    expect(progressView({ percent: 50, stage: 7, done: '1', total: 1.5 })).toEqual({ percent: 50 });
  });
});
