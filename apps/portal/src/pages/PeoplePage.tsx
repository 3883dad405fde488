import { useState } from 'react';
import { api, call } from '../api/client';
import { allOrganizations, allPages } from '../api/fleet';
import type { components } from '../api/schema';
import { ROLE_LABELS } from '../auth/roles';
import { useSession, useSignedIn } from '../auth/session';
import { useAnnouncedAction } from '../hooks/useAction';
import { useQuery } from '../hooks/useQuery';
import { ConfirmDialog, PageHeader } from '../ui/bits';
import { Organizations } from '../ui/Organizations';
import { AddPerson, ChangeRole, TemporaryPassword } from '../ui/PersonForms';
import { Async, Outcome } from '../ui/states';

type Person = components['schemas']['UserView'];
const MAX_PAGES = 50;

function everyone(): Promise<Person[]> {
  return allPages((cursor) => call(api.GET('/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), MAX_PAGES);
}

/**
 * Tenant admins: who belongs to this tenant with which role; add a person, change a role, set a
 * temporary password, remove one; and the integrator organisations people and sites belong to.
 */
export function PeoplePage() {
  const session = useSignedIn();
  const { me } = useSession();
  const state = useQuery(async () => {
    const [people, organizations] = await Promise.all([everyone(), allOrganizations()]);
    return { people, organizations };
  }, [session.tenantId]);
  const [removing, setRemoving] = useState<Person | undefined>();
  const { busy, error, status, act } = useAnnouncedAction(state.reload);

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
                        {person.id === me?.subjectId ? (
                          // The API refuses these for oneself: another admin does them; one's password is changed on the Account page.
                          <span className="muted">you (another admin changes your role; your password: Account page)</span>
                        ) : (
                          <>
                            <ChangeRole
                              person={person}
                              organizations={organizations}
                              busy={busy}
                              onChange={(body) => {
                                const organization = organizations.find((o) => o.id === body.integratorOrgId)?.name;
                                return act(() => call(api.PATCH('/v1/users/{id}', { params: { path: { id: person.id } }, body })), `${person.displayName} is now ${ROLE_LABELS[body.role]}${organization ? ` of ${organization}` : ''}; their sessions have ended.`);
                              }}
                            />
                            <TemporaryPassword person={person} busy={busy} onSet={(password) => act(() => call(api.POST('/v1/users/{id}/password', { params: { path: { id: person.id } }, body: { newPassword: password } })), `${person.displayName} has a temporary password; their sessions have ended.`)} />
                            <button type="button" className="button secondary" disabled={busy} onClick={() => setRemoving(person)} aria-label={`Remove ${person.displayName}`}>
                              Remove
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Outcome status={status} error={error} testId="people-status" />
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
            <Organizations organizations={organizations} onChanged={state.reload} />
          </>
        )}
      </Async>
    </>
  );
}
