import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { Problem } from '../api/types';

/** Loading, error and empty states, the same on every page. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function ErrorMessage({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>{error instanceof ApiError && error.status === 403 ? 'Not allowed' : 'Something went wrong'}</strong>
      <span>{error.message}</span>
      {problem?.requestId ? <small>Request id: {problem.requestId}</small> : null}
      {onRetry ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** Renders the page body once data is there; loading and error states otherwise. */
export function Async<T>({ state, empty, children }: { state: { data: T | undefined; error: Error | undefined; loading: boolean; reload(): void }; empty?: (data: T) => ReactNode | undefined; children: (data: T) => ReactNode }) {
  if (state.data === undefined) {
    if (state.error) return <ErrorMessage error={state.error} onRetry={state.reload} />;
    return <Loading />;
  }
  const emptyState = empty?.(state.data);
  return (
    <>
      {state.error ? <p className="stale-warning" role="status">Could not refresh: {state.error.message}. Showing the last data.</p> : null}
      {emptyState ? <Empty>{emptyState}</Empty> : children(state.data)}
    </>
  );
}

/** A refused change with the API's field errors, each named by its path (e.g. document.categories.x.retentionDays). */
export function ProblemDetails({ problem, id, testId }: { problem: Problem; id?: string; testId?: string }) {
  return (
    <div id={id} className="validation" role="alert" data-testid={testId}>
      <strong>{problem.detail ?? problem.title}</strong>
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((error) => (
            <li key={`${error.path}:${error.message}`}>
              <code>{error.path}</code> {error.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The outcome of the last change on a card: what it did (a status line) or why it was refused. */
export function Outcome({ status, error, testId }: { status: string | undefined; error: Error | undefined; testId?: string }) {
  return (
    <>
      {status ? (
        <p role="status" data-testid={testId}>
          {status}
        </p>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
    </>
  );
}
