import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { allOrganizations, allPages } from '../api/fleet';
import type { components } from '../api/schema';
import type { Role } from '../api/types';
import { isIntegratorRole, ROLE_LABELS } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useAnnouncedAction } from '../hooks/useAction';
import { useQuery } from '../hooks/useQuery';
import { Badge, ConfirmDialog, PageHeader, Time } from '../ui/bits';
import { RoleFields } from '../ui/PersonForms';
import { Async, Outcome } from '../ui/states';

type ApiKey = components['schemas']['ApiKeyView'];
type CreatedApiKey = components['schemas']['CreatedApiKeyView'];

const LIFETIMES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 0, label: 'no expiry' },
];
const MAX_PAGES = 20;

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';
const STATUS_TONE: Record<ApiKeyStatus, 'ok' | 'warn' | 'bad'> = { active: 'ok', expired: 'warn', revoked: 'bad' };

/** Whether a key still works: revoked and expired keys are refused by the API. */
export function apiKeyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now = Date.now()): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

/** How a script sends the key: either header works. */
export function apiKeyUsage(key: string, baseUrl: string): string {
  return [`curl -H 'x-api-key: ${key}' ${baseUrl}/v1/sites`, `# or: -H 'Authorization: Bearer ${key}'`].join('\n');
}

function allKeys(): Promise<ApiKey[]> {
  return allPages((cursor) => call(api.GET('/v1/api-keys', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), MAX_PAGES);
}

/**
 * Tenant admins: keys for scripts and pipelines (a CI job that registers model versions, a
 * reporting job that reads the audit trail). A key acts with the role it is given, is shown once,
 * and stops working the moment it is revoked.
 */
export function ApiKeysPage() {
  const session = useSignedIn();
  const state = useQuery(async () => {
    const [keys, organizations] = await Promise.all([allKeys(), allOrganizations()]);
    return { keys, organizations };
  }, [session.tenantId]);
  const { busy, error, status, act } = useAnnouncedAction(state.reload);
  const [created, setCreated] = useState<CreatedApiKey | undefined>();
  const [revoking, setRevoking] = useState<ApiKey | undefined>();

  return (
    <>
      <PageHeader title="API keys" />
      <Async state={state}>
        {({ keys, organizations }) => (
          <>
            <CreateApiKey
              organizations={organizations}
              busy={busy}
              onCreate={(body) =>
                act(async () => setCreated(await call(api.POST('/v1/api-keys', { body }))), `Key ${body.name} created.`)
              }
            />
            {created ? (
              <div className="token-once card" data-testid="new-api-key">
                <p>
                  <strong>Copy the key now:</strong> it is shown only this once (only its hash is kept). It acts as {ROLE_LABELS[created.role]}
                  {created.expiresAt ? (
                    <>
                      {' '}
                      until <Time value={created.expiresAt} />
                    </>
                  ) : (
                    ' until it is revoked'
                  )}
                  .
                </p>
                <textarea readOnly rows={2} value={apiKeyUsage(created.key, window.location.origin)} aria-label="How to use the key" data-testid="api-key-usage" onFocus={(event) => event.currentTarget.select()} />
              </div>
            ) : null}
            <section className="card" aria-labelledby="keys-title">
              <h2 id="keys-title">Keys of this tenant</h2>
              {keys.length === 0 ? <p className="state state-empty">No API keys yet.</p> : null}
              {keys.length ? (
                <table data-testid="api-keys">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Key</th>
                      <th scope="col">Role</th>
                      <th scope="col">Status</th>
                      <th scope="col">Created</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {keys.map((key) => {
                      const keyStatus = apiKeyStatus(key);
                      const organization = organizations.find((o) => o.id === key.integratorOrgId)?.name;
                      return (
                        <tr key={key.id} data-api-key={key.name}>
                          <td>{key.name}</td>
                          <td>
                            <code>{key.prefix}…</code>
                          </td>
                          <td>
                            {ROLE_LABELS[key.role]}
                            {organization ? ` (${organization})` : ''}
                          </td>
                          <td>
                            <Badge tone={STATUS_TONE[keyStatus]}>{keyStatus}</Badge>
                          </td>
                          <td>
                            <Time value={key.createdAt} />
                          </td>
                          <td>{key.expiresAt ? <Time value={key.expiresAt} /> : 'never'}</td>
                          <td>{key.lastUsedAt ? <Time value={key.lastUsedAt} /> : 'never'}</td>
                          <td>
                            {keyStatus === 'revoked' ? null : (
                              <button type="button" className="button secondary" disabled={busy} onClick={() => setRevoking(key)} aria-label={`Revoke the key ${key.name}`}>
                                Revoke
                              </button>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              ) : null}
              <Outcome status={status} error={error} testId="api-keys-status" />
            </section>
            <ConfirmDialog
              open={revoking !== undefined}
              title={revoking ? `Revoke the key ${revoking.name}?` : ''}
              confirmLabel="Revoke"
              busy={busy}
              onCancel={() => setRevoking(undefined)}
              onConfirm={() => {
                const key = revoking!;
                setRevoking(undefined);
                if (created?.id === key.id) setCreated(undefined);
                void act(() => call(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } })), `Key ${key.name} revoked: requests with it are refused from now on.`);
              }}
            >
              <p>Every request made with it is refused from the next one on, on every control-plane replica. Whatever uses it (a pipeline, a script) stops working until it is given a new key. This cannot be undone.</p>
            </ConfirmDialog>
          </>
        )}
      </Async>
    </>
  );
}

function CreateApiKey({ organizations, busy, onCreate }: { organizations: components['schemas']['OrganizationView'][]; busy: boolean; onCreate(body: components['schemas']['CreateApiKeyDto']): Promise<boolean> }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('vendor_engineer');
  const [organization, setOrganization] = useState('');
  const [days, setDays] = useState(90);
  const integrator = isIntegratorRole(role);

  function submit(event: FormEvent) {
    event.preventDefault();
    const expiresAt = days ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined;
    void onCreate({ name, role: role as components['schemas']['CreateApiKeyDto']['role'], ...(integrator ? { integratorOrgId: organization } : {}), ...(expiresAt ? { expiresAt } : {}) }).then((done) => {
      if (done) setName('');
    });
  }

  return (
    <section className="card" aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <form className="password-form" onSubmit={submit}>
        <label>
          Name (what uses it)
          <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} placeholder="model-release-pipeline" />
        </label>
        <RoleFields roleLabel="Acts as" organizationLabel="Integrator organisation" role={role} organization={organization} organizations={organizations} onRole={setRole} onOrganization={setOrganization} />
        <label>
          Valid for
          <select value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {LIFETIMES.map((lifetime) => (
              <option key={lifetime.days} value={lifetime.days}>
                {lifetime.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={busy}>
          Create key
        </button>
      </form>
    </section>
  );
}
