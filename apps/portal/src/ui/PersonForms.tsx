import { useState, type FormEvent } from 'react';
import type { components } from '../api/schema';
import type { Role } from '../api/types';
import { isIntegratorRole, ROLE_LABELS } from '../auth/roles';

type Person = components['schemas']['UserView'];
type Organization = components['schemas']['OrganizationView'];

const TENANT_ROLES: Role[] = ['vendor_admin', 'vendor_engineer', 'integrator_admin', 'integrator_viewer', 'auditor'];

/** A tenant role, and the organisation an integrator role needs (asked for only then). */
export function RoleFields(props: { roleLabel: string; organizationLabel: string; role: Role; organization: string; organizations: Organization[]; onRole(role: Role): void; onOrganization(id: string): void }) {
  return (
    <>
      <label>
        {props.roleLabel}
        <select value={props.role} onChange={(event) => props.onRole(event.target.value as Role)}>
          {TENANT_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      {isIntegratorRole(props.role) ? (
        <label>
          {props.organizationLabel}
          <select required value={props.organization} onChange={(event) => props.onOrganization(event.target.value)}>
            <option value="">Choose…</option>
            {props.organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </>
  );
}

/** Sets a temporary password, typed in a field of the row (the API answers why when it may not). */
export function TemporaryPassword({ person, busy, onSet }: { person: Person; busy: boolean; onSet(password: string): Promise<boolean> }) {
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

export function AddPerson({ organizations, busy, onAdd }: { organizations: Organization[]; busy: boolean; onAdd(body: components['schemas']['CreateUserDto']): Promise<boolean> }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('vendor_engineer');
  const [organization, setOrganization] = useState('');
  const [password, setPassword] = useState('');
  const integrator = isIntegratorRole(role);

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
        <RoleFields roleLabel="Role" organizationLabel="Integrator organisation" role={role} organization={organization} organizations={organizations} onRole={setRole} onOrganization={setOrganization} />
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

/**
 * Another role (and, for integrator roles, an organisation) for a person of this tenant. Their
 * sessions end, so the new role applies from their next sign-in; nobody changes their own.
 */
export function ChangeRole({ person, organizations, busy, onChange }: { person: Person; organizations: Organization[]; busy: boolean; onChange(body: { role: Role; integratorOrgId: string | null }): Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState<Role>(person.role);
  const [organization, setOrganization] = useState(person.integratorOrgId ?? '');
  const integrator = isIntegratorRole(role);
  if (!open) {
    return (
      <button
        type="button"
        className="button secondary"
        disabled={busy}
        onClick={() => {
          setRole(person.role);
          setOrganization(person.integratorOrgId ?? '');
          setOpen(true);
        }}
        aria-label={`Change the role of ${person.displayName}`}
      >
        Change role
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void onChange({ role, integratorOrgId: integrator ? organization : null }).then((done) => {
          if (done) setOpen(false);
        });
      }}
    >
      <RoleFields roleLabel={`New role for ${person.displayName}`} organizationLabel="Organisation" role={role} organization={organization} organizations={organizations} onRole={setRole} onOrganization={setOrganization} />
      <button type="submit" className="button" disabled={busy}>
        Save role
      </button>
      <button type="button" className="button secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
