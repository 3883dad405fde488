import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { useSession, useSignedIn } from '../auth/session';
import { useAction } from '../hooks/useAction';
import { ROLE_LABELS } from '../auth/roles';
import { PageHeader } from '../ui/bits';
import { ErrorMessage } from '../ui/states';

const MIN_PASSWORD_LENGTH = 12;

/** Who is signed in, and changing one's own password (the API ends the person's other sessions). */
export function AccountPage() {
  const session = useSignedIn();
  const { me } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');
  const { busy, error, run } = useAction();
  const [done, setDone] = useState(false);
  const mismatch = repeated.length > 0 && repeated !== next;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    setDone(false);
    await run(async () => {
      await call(api.POST('/v1/auth/password', { body: { currentPassword: current, newPassword: next } }));
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeated('');
    });
  }

  return (
    <>
      <PageHeader title="Account" />
      <section className="card" aria-labelledby="who-title">
        <h2 id="who-title">Signed in as</h2>
        <p>
          {me?.displayName ?? ''} {me?.email ? <span className="muted">({me.email})</span> : null}, {ROLE_LABELS[session.role]}
        </p>
      </section>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">Change your password</h2>
        <form className="password-form" onSubmit={(event) => void submit(event)}>
          <label>
            Current password
            <input type="password" autoComplete="current-password" required value={current} onChange={(event) => setCurrent(event.target.value)} />
          </label>
          <label>
            New password (at least {MIN_PASSWORD_LENGTH} characters)
            <input type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} maxLength={200} value={next} onChange={(event) => setNext(event.target.value)} />
          </label>
          <label>
            New password again
            <input type="password" autoComplete="new-password" required value={repeated} aria-invalid={mismatch} aria-describedby={mismatch ? 'password-mismatch' : undefined} onChange={(event) => setRepeated(event.target.value)} />
          </label>
          {mismatch ? (
            <p className="field-error" id="password-mismatch" role="alert">
              The two new passwords differ.
            </p>
          ) : null}
          <button type="submit" className="button" disabled={busy || mismatch}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </form>
        {done ? (
          <p role="status" data-testid="password-changed">
            Password changed. Your other sessions, in every tenant, have been signed out; this one stays signed in.
          </p>
        ) : null}
        {error ? <ErrorMessage error={error} /> : null}
      </section>
    </>
  );
}
