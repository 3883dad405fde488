import { useState } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { useAnnouncedAction } from '../hooks/useAction';
import { ConfirmDialog } from './bits';
import { FieldEditor, parseDisplayName } from './FieldEditor';
import { Outcome } from './states';

type Organization = components['schemas']['OrganizationView'];

const NAME_MAX = 200; // the API's limit (CreateOrganizationDto)
const parseName = (text: string) => {
  const parsed = parseDisplayName(text, NAME_MAX, 'An organisation');
  return 'error' in parsed ? parsed : { value: parsed.name };
};
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** What still ties an organisation to the tenant, or undefined when it can be removed. */
export function organizationInUse(organization: Pick<Organization, 'siteCount' | 'memberCount'>): string | undefined {
  const parts = [organization.siteCount ? plural(organization.siteCount, 'site', 'sites') : '', organization.memberCount ? plural(organization.memberCount, 'person', 'people') : ''].filter(Boolean);
  return parts.length ? `reassign its ${parts.join(' and ')} first` : undefined;
}

/**
 * Tenant admins: the integrator companies that operate sites. A site handed to one is seen and run
 * by its people only; an organisation is removed once no site or person belongs to it.
 */
export function Organizations({ organizations, onChanged }: { organizations: Organization[]; onChanged(): void }) {
  const { busy, error, setError, status, act, announce } = useAnnouncedAction(onChanged);
  const [removing, setRemoving] = useState<Organization | undefined>();
  const [name, setName] = useState('');

  return (
    <section className="card" aria-labelledby="organizations-title">
      <h2 id="organizations-title">Integrator organisations</h2>
      {organizations.length ? (
        <table data-testid="organizations">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Sites</th>
              <th scope="col">People</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {organizations.map((organization) => {
              const inUse = organizationInUse(organization);
              return (
                <tr key={organization.id} data-organization={organization.name}>
                  <td>{organization.name}</td>
                  <td>{organization.siteCount}</td>
                  <td>{organization.memberCount}</td>
                  <td>
                    <FieldEditor
                      openLabel="Rename"
                      openAriaLabel={`Rename ${organization.name}`}
                      fieldLabel={`New name for ${organization.name}`}
                      saveLabel="Save name"
                      initial={organization.name}
                      parse={parseName}
                      save={async (next) => {
                        if (next === organization.name) return;
                        await call(api.PATCH('/v1/organizations/{id}', { params: { path: { id: organization.id } }, body: { name: next } }));
                        announce(`${organization.name} is now ${next}.`);
                      }}
                    />
                    <button type="button" className="button secondary" disabled={busy || inUse !== undefined} onClick={() => setRemoving(organization)} aria-label={`Remove ${organization.name}${inUse ? ` (${inUse})` : ''}`} title={inUse}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="state state-empty">No integrator organisations yet. Add one to hand sites to an integrator and give its people access to them alone.</p>
      )}
      <Outcome status={status} error={error} testId="organizations-status" />
      <form
        className="toolbar-form"
        onSubmit={(event) => {
          event.preventDefault();
          const parsed = parseName(name);
          if ('error' in parsed) {
            setError(new Error(parsed.error));
            return;
          }
          void act(() => call(api.POST('/v1/organizations', { body: { name: parsed.value } })), `${parsed.value} added: hand it sites from their pages, and add its people above.`).then((done) => {
            if (done) setName('');
          });
        }}
      >
        <label>
          New organisation
          <input required maxLength={NAME_MAX} value={name} onChange={(event) => setName(event.target.value)} placeholder="Nusantara Integrasi" />
        </label>
        <button type="submit" className="button" disabled={busy}>
          Add organisation
        </button>
      </form>
      <ConfirmDialog
        open={removing !== undefined}
        title={removing ? `Remove ${removing.name}?` : ''}
        confirmLabel="Remove"
        busy={busy}
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => {
          const organization = removing!;
          setRemoving(undefined);
          void act(() => call(api.DELETE('/v1/organizations/{id}', { params: { path: { id: organization.id } } })), `${organization.name} removed.`);
        }}
      >
        <p>No site or person belongs to it any more; its API keys, if any, must be revoked first. The audit trail keeps what it did.</p>
      </ConfirmDialog>
    </section>
  );
}
