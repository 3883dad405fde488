import { useState, type ReactNode } from 'react';
import { useAction } from '../hooks/useAction';
import { ConfirmDialog } from './bits';
import { ErrorMessage } from './states';

/**
 * A button for a change that cannot be taken back (revoke, remove): it opens a confirmation that
 * says what the change does, runs it, and shows the API's refusal inside the dialog.
 */
export function ConfirmedAction(props: { label: string; title: string; confirmLabel: string; children: ReactNode; perform(): Promise<unknown>; onDone(): void }) {
  const [open, setOpen] = useState(false);
  const { busy, error, run, setError } = useAction();
  async function confirm() {
    if (!(await run(props.perform))) return;
    setOpen(false);
    props.onDone();
  }
  return (
    <>
      <button
        type="button"
        className="button secondary"
        onClick={() => {
          setError(undefined);
          setOpen(true);
        }}
      >
        {props.label}
      </button>
      <ConfirmDialog open={open} title={props.title} confirmLabel={props.confirmLabel} busy={busy} onCancel={() => setOpen(false)} onConfirm={() => void confirm()}>
        {props.children}
        {error ? <ErrorMessage error={error} /> : null}
      </ConfirmDialog>
    </>
  );
}
