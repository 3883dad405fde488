import type { JobProgressView } from './dto/job.dto';

/**
 * A job's progress as BullMQ keeps it (a number, or what the job wrote) in one shape. BullMQ starts
 * every job at 0, so a job that never reports stays at percent 0; null only for a value that is not a progress.
 */
export function progressView(progress: unknown): JobProgressView | null {
  if (typeof progress === 'number' && Number.isFinite(progress)) return { percent: clampPercent(progress) };
  if (typeof progress !== 'object' || progress === null) return null;
  const { percent, stage, done, total } = progress as Record<string, unknown>;
  if (typeof percent !== 'number' || !Number.isFinite(percent)) return null;
  return {
    percent: clampPercent(percent),
    ...(typeof stage === 'string' ? { stage } : {}),
    ...(Number.isSafeInteger(done) ? { done: done as number } : {}),
    ...(Number.isSafeInteger(total) ? { total: total as number } : {}),
  };
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}
