import { useEffect } from 'react';
import { asError } from '../api/client';

/**
 * Follows something the page started (a job, an export) until it settles: while `running`, reads it
 * again every `everyMs` and hands the new value to `update`, or the error to `fail`. Each new value
 * schedules the next read, so reads never overlap.
 */
export function useFollow<T>(value: T | undefined, running: boolean, read: (value: T) => Promise<T>, update: (next: T) => void, fail: (error: Error) => void, everyMs = 1_000): void {
  useEffect(() => {
    if (value === undefined || !running) return;
    const timer = setTimeout(() => {
      read(value).then(update, (caught: unknown) => fail(asError(caught)));
    }, everyMs);
    return () => clearTimeout(timer);
    // Re-armed by each new value; the callbacks are the page's own and change with every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, running, everyMs]);
}
