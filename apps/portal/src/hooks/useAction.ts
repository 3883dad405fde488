import { useCallback, useRef, useState } from 'react';
import { asError } from '../api/client';

export interface ActionState {
  /** True while a change is in flight: buttons that would start another one are disabled. */
  busy: boolean;
  /** Why the last attempt failed (the API's problem text, or a check made here), until the next attempt. */
  error: Error | undefined;
  /**
   * Runs one change: clears the previous error, marks the form busy, and keeps what went wrong for
   * ErrorMessage. Resolves true when the work finished, false when it failed or another change was
   * still running (a double click sends one request, not two).
   */
  run(work: () => Promise<unknown>): Promise<boolean>;
  /** Reports a problem found before anything is sent (a malformed field), or clears it. */
  setError(error: Error | undefined): void;
}

/** The busy/error bookkeeping every portal form and confirmation shares. */
export function useAction(): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const running = useRef(false);

  const run = useCallback(async (work: () => Promise<unknown>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (caught) {
      setError(asError(caught));
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);

  return { busy, error, run, setError };
}

export interface AnnouncedActionState extends ActionState {
  /** What the last change did, in words, for a role="status" line. */
  status: string | undefined;
  /** Runs a change; when it is done, says `done` and calls `after` (a reload). True if it was done. */
  act(work: () => Promise<unknown>, done: string): Promise<boolean>;
  /** Says what a change made elsewhere (a form with its own errors) did, and calls `after`. */
  announce(done: string): void;
}

/** A change whose outcome is announced on the page ("Olga added.") and followed by a reload. */
export function useAnnouncedAction(after: () => void): AnnouncedActionState {
  const action = useAction();
  const [status, setStatus] = useState<string | undefined>();
  const announce = (done: string) => {
    setStatus(done);
    after();
  };
  const act = async (work: () => Promise<unknown>, done: string) => {
    setStatus(undefined);
    if (!(await action.run(work))) return false;
    announce(done);
    return true;
  };
  return { ...action, status, act, announce };
}
