import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { NodeStatus } from '../api/types';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Meridian`;
  }, [title]);
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

export function StatusBadge({ status }: { status: NodeStatus | string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** allow (green), allow_with_redaction (amber), deny (red); a dash when the event is not a decision. */
export function DecisionBadge({ decision }: { decision: string | null | undefined }) {
  if (!decision) return <>—</>;
  return <Badge tone={decision === 'deny' ? 'bad' : decision === 'allow' ? 'ok' : 'warn'}>{decision}</Badge>;
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const percent = max > 0 ? Math.round((value / max) * 100) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} aria-valuetext={`${value} of ${max}`}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** Absolute time with a relative hint ("12 s ago"), readable by screen readers. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">never</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={date.toISOString()}>
      {ago(date)}
    </time>
  );
}

/** How long ago a moment was, or how long until it comes (an expiry): "12 s ago", "in 7 days"; a full date beyond. */
export function ago(date: Date, now = Date.now()): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (Math.abs(seconds) < 5) return 'just now';
  const span = relativeSpan(Math.abs(seconds));
  if (!span) return date.toLocaleString();
  return seconds > 0 ? `${span} ago` : `in ${span}`;
}

function relativeSpan(seconds: number): string | undefined {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  if (seconds < 10 * 86400) return `${Math.round(seconds / 86400)} days`;
  return undefined;
}

/** A modal confirmation (native <dialog>: focus trapped, Esc cancels) that names what will happen. */
export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onCancel, busy }: { open: boolean; title: string; children: ReactNode; confirmLabel: string; onConfirm(): void; onCancel(): void; busy?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId(); // a page may hold several dialogs: each is named by its own title
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onCancel={(event) => (event.preventDefault(), onCancel())}>
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button" onClick={onConfirm} disabled={busy} autoFocus>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

const ACTOR_KINDS: Record<string, string> = { user: 'person', node: 'node', api_key: 'API key', system: 'system' };

/** An audit actor: the name the tenant knows it by (when it has one) and what kind it is; the id the log proves on hover, or written out. */
export function Actor({ actor, name, showId = false }: { actor: string; name: string | null | undefined; showId?: boolean }) {
  const kind = ACTOR_KINDS[actor.slice(0, actor.indexOf(':'))];
  if (!name) return showId ? <code>{actor}</code> : <span title={actor}>{actor}</span>;
  return (
    <span title={actor}>
      {name}
      {kind ? <span className="muted"> · {kind}</span> : null}
      {showId ? (
        <>
          {' '}
          <code>{actor}</code>
        </>
      ) : null}
    </span>
  );
}
