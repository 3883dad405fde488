import { useCallback, useEffect, useRef, useState } from 'react';
import { asError } from '../api/client';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetch again now (after a change the page made). */
  reload(): void;
}

/**
 * Loads data for a page and, with `pollMs`, keeps it fresh while the page is visible: what people
 * wait for (rollouts, policy propagation, node status) updates without a manual reload. A failed
 * refresh keeps the last good data and reports the error; requests never overlap.
 */
export function useQuery<T>(load: () => Promise<T>, deps: readonly unknown[], options: { pollMs?: number; enabled?: boolean } = {}): QueryState<T> {
  const { pollMs, enabled = true } = options;
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(enabled);
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return;
    }
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await loader.current();
        if (!live) return;
        setData(value);
        setError(undefined);
      } catch (caught) {
        if (live) setError(asError(caught));
      } finally {
        if (live) setLoading(false);
      }
      if (live && pollMs) timer = setTimeout(tick_, document.hidden ? pollMs * 5 : pollMs);
    };
    const tick_ = () => void run();
    setLoading(true);
    void run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick, pollMs, enabled]); // eslint-disable-line react-hooks/exhaustive-deps

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading: loading && data === undefined, reload };
}
