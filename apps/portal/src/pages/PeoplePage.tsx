import { useState, type FormEvent } from 'react';
import { api, asError, call } from '../api/client';
import { allPages } from '../api/fleet';
import type { components } from '../api/schema';
import type { Role } from '../api/types';
import { ROLE_LABELS } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { ConfirmDialog, PageHeader } from '../ui/bits';
import { Async, ErrorMessage } from '../ui/states';

type Person = components['schemas']['UserView'];
type Organization = components['schemas']['OrganizationView'];

const TENANT_ROLES: Role[] = ['vendor_admin', 'vendor_engineer', 'integrator_admin', 'integrator_viewer', 'auditor'];
const INTEGRATOR_ROLES: Role[] = ['integrator_admin', 'integrator_viewer'];
const MAX_PAGES = 50;

function everyone(): Promise<Person[]> {
  return allPages((cursor) => call(api.GET('/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), MAX_PAGES);
}

/** Tenant admins: who belongs to this tenant with which role; add a person, set a temporary password, remove one. */
export function PeoplePage() {
  const session = useSignedIn();
  const state = useQuery(async () => {
    const [people, organizations] = await Promise.all([everyone(), call(api.GET('/v1/organizations', { params: { query: { limit: 100 } } }))]);
    return { people, organizations: organizations.items };
  }, [session.tenantId]);
  const [status, setStatus] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [removing, setRemoving] = useState<Person | undefined>();
  const [busy, setBusy] = useState(false);

  /** Runs a change, then says what was done (or the API's reason) and reloads the list; true if it was done. */
  async function act(work: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(true);
    setStatus(undefined);
    setError(undefined);
    try {
      await work();
      setStatus(done);
      state.reload();
      return true;
    } catch (caught) {
      setError(asError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="People" />
      <Async state={state}>
        {({ people, organizations }) => (
          <>
            <section className="card" aria-labelledby="people-title">
              <h2 id="people-title">Members of this tenant</h2>
              <table data-testid="people">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">E-mail</th>
                    <th scope="col">Role</th>
                    <th scope="col">Organisation</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {people.map((person) => (
                    <tr key={person.id}>
                      <td>{person.displayName}</td>
                      <td>{person.email}</td>
                      <td>{ROLE_LABELS[person.role]}</td>
                      <td>{organizations.find((o) => o.id === person.integratorOrgId)?.name ?? '—'}</td>
                      <td>
                        <TemporaryPassword person={person} busy={busy} onSet={(password) => act(() => call(api.POST('/v1/users/{id}/password', { params: { path: { id: person.id } }, body: { newPassword: password } })), `${person.displayName} has a temporary password; their sessions have ended.`)} />
                        <button type="button" className="button secondary" disabled={busy} onClick={() => setRemoving(person)} aria-label={`Remove ${person.displayName}`}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {status ? (
                <p role="status" data-testid="people-status">
                  {status}
                </p>
              ) : null}
              {error ? <ErrorMessage error={error} /> : null}
            </section>
            <AddPerson organizations={organizations} busy={busy} onAdd={(body) => act(() => call(api.POST('/v1/users', { body })), `${body.displayName} added.`)} />
            <ConfirmDialog
              open={removing !== undefined}
              title={removing ? `Remove ${removing.displayName} from this tenant?` : ''}
              confirmLabel="Remove"
              busy={busy}
              onCancel={() => setRemoving(undefined)}
              onConfirm={() => {
                const person = removing!;
                setRemoving(undefined);
                void act(() => call(api.DELETE('/v1/users/{id}', { params: { path: { id: person.id } } })), `${person.displayName} removed; their sessions here have ended.`);
              }}
            >
              <p>Their sessions in this tenant end at once. Their account stays if they belong to other tenants.</p>
            </ConfirmDialog>
          </>
        )}
      </Async>
    </>
  );
}

/** Sets a temporary password, typed in a field of the row (the API answers why when it may not). */
function TemporaryPassword({ person, busy, onSet }: { person: Person; busy: boolean; onSet(password: string): Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  if (!open) {
    return (
      <button type="button" className="button secondary" disabled={busy} onClick={() => setOpen(true)} aria-label={`Set a temporary password for ${person.displayName}`}>
        Temporary password
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void onSet(password).then((done) => {
          if (!done) return;
          setOpen(false);
          setPassword('');
        });
      }}
    >
      <label>
        Temporary password for {person.displayName}
        <input type="text" autoComplete="off" required minLength={12} maxLength={200} value={password} onChange={(event) => setPassword(event.target.value)} />
      </label>
      <button type="submit" className="button" disabled={busy}>
        Set
      </button>
      <button type="button" className="button secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

function AddPerson({ organizations, busy, onAdd }: { organizations: Organization[]; busy: boolean; onAdd(body: components['schemas']['CreateUserDto']): Promise<boolean> }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('vendor_engineer');
  const [organization, setOrganization] = useState('');
  const [password, setPassword] = useState('');
  const integrator = INTEGRATOR_ROLES.includes(role);

  function submit(event: FormEvent) {
    event.preventDefault();
    void onAdd({ email, displayName, role: role as components['schemas']['CreateUserDto']['role'], password, ...(integrator ? { integratorOrgId: organization } : {}) }).then((done) => {
      if (!done) return;
      setEmail('');
      setDisplayName('');
      setPassword('');
    });
  }

  return (
    <section className="card" aria-labelledby="add-person-title">
      <h2 id="add-person-title">Add a person</h2>
      <form className="password-form" onSubmit={submit}>
        <label>
          E-mail
          <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Name
          <input required maxLength={200} value={displayName} onChange={(event) => setDisplayName(event.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {TENANT_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        {integrator ? (
          <label>
            Integrator organisation
            <select required value={organization} onChange={(event) => setOrganization(event.target.value)}>
              <option value="">Choose…</option>
              {organizations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Temporary password (at least 12 characters; they change it on their Account page)
          <input type="text" autoComplete="off" required minLength={12} maxLength={200} value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <button type="submit" className="button" disabled={busy}>
          Add person
        </button>
      </form>
    </section>
  );
}
