import { useState } from 'react';
import { useAction } from '../hooks/useAction';
import { ErrorMessage } from './states';

/** A name as typed, trimmed as the API trims it; the reason when the API would refuse it ("A node needs a name"). */
export function parseDisplayName(text: string, max: number, subject: string): { name: string } | { error: string } {
  const name = text.trim();
  if (!name) return { error: `${subject} needs a name` };
  if (name.length > max) return { error: `${subject}'s name has at most ${max} characters (this one has ${name.length})` };
  return { name };
}

/** A button that opens one text field: checked by `parse` before anything is sent, then saved; the API's refusal is shown in place. */
export function FieldEditor<T>(props: { openLabel: string; openAriaLabel?: string; fieldLabel: string; saveLabel: string; initial: string; placeholder?: string; parse(text: string): { value: T } | { error: string }; save(value: T): Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(props.initial);
  const { busy, error, run, setError } = useAction();
  if (!open) {
    return (
      <button
        type="button"
        className="button secondary"
        aria-label={props.openAriaLabel}
        onClick={() => {
          setText(props.initial);
          setError(undefined);
          setOpen(true);
        }}
      >
        {props.openLabel}
      </button>
    );
  }
  async function save() {
    const parsed = props.parse(text);
    if ('error' in parsed) {
      setError(new Error(parsed.error));
      return;
    }
    if (await run(() => props.save(parsed.value))) setOpen(false);
  }
  return (
    <form
      className="toolbar-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label>
        {props.fieldLabel}
        <input value={text} onChange={(event) => setText(event.target.value)} placeholder={props.placeholder} size={40} />
      </label>
      <button type="submit" className="button" disabled={busy}>
        {props.saveLabel}
      </button>
      <button type="button" className="button secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </form>
  );
}
