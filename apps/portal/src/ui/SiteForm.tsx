import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../api/client';
import type { Organization } from '../api/types';
import { allOrganizations } from '../api/fleet';
import { useAction } from '../hooks/useAction';
import { useQuery } from '../hooks/useQuery';
import { ErrorMessage } from './states';

const COUNTRY_CODE = /^[A-Z]{2}$/;

/** "Germany" for DE, as the browser names it; undefined for a code it does not know. */
export function countryName(code: string): string | undefined {
  if (!COUNTRY_CODE.test(code)) return undefined;
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }).of(code);
    return name && name !== code ? name : undefined;
  } catch {
    return undefined;
  }
}

export interface SiteFields {
  name: string;
  country: string;
  region: string;
  integratorOrgId: string;
}

/**
 * Tenant admins: a new plant. Its country decides which governance overlay its gateways get, so the
 * country is named in full as it is typed; the API checks it is a real ISO code. Opens the new site,
 * where its first gateway is enrolled.
 */
export function AddSite({ knownCountries }: { knownCountries: string[] }) {
  const navigate = useNavigate();
  return (
    <section className="card" aria-labelledby="add-site-title">
      <h2 id="add-site-title">Add a site</h2>
      <SiteForm
        initial={{ name: '', country: '', region: '', integratorOrgId: '' }}
        knownCountries={knownCountries}
        submitLabel="Add site"
        onSubmit={async (fields) => {
          const site = await call(api.POST('/v1/sites', { body: { name: fields.name, country: fields.country, ...(fields.region ? { region: fields.region } : {}), ...(fields.integratorOrgId ? { integratorOrgId: fields.integratorOrgId } : {}) } }));
          void navigate(`/sites/${site.id}`);
        }}
      />
    </section>
  );
}

/** A site's name, country, region and integrator, for adding one or changing one; `onSubmit` gets them trimmed and throws the API's refusal. */
export function SiteForm({ initial, knownCountries, submitLabel, onSubmit }: { initial: SiteFields; knownCountries: string[]; submitLabel: string; onSubmit(fields: SiteFields): Promise<void> }) {
  const organizations = useQuery(allOrganizations, []);
  const [fields, setFields] = useState(initial);
  const { busy, error, run } = useAction();
  const set = (field: keyof SiteFields) => (event: { target: { value: string } }) => setFields({ ...fields, [field]: field === 'country' ? event.target.value.toUpperCase() : event.target.value });
  const named = countryName(fields.country);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(() => onSubmit({ ...fields, name: fields.name.trim(), region: fields.region.trim() }));
  }

  return (
    <>
      <form className="password-form" onSubmit={(event) => void submit(event)}>
        <label>
          Name
          <input required maxLength={200} value={fields.name} onChange={set('name')} placeholder="Stuttgart Plant" />
        </label>
        <label>
          Country (ISO 3166-1 code; its governance overlay applies to the site)
          <input required list="known-countries" pattern="[A-Z]{2}" maxLength={2} autoCapitalize="characters" value={fields.country} onChange={set('country')} placeholder="DE" aria-describedby="country-name" />
          <datalist id="known-countries">
            {knownCountries.map((code) => (
              <option key={code} value={code}>
                {countryName(code)}
              </option>
            ))}
          </datalist>
          <small id="country-name" className="muted" data-testid="country-name">
            {fields.country.length === 2 ? (named ?? 'not a country code this browser knows') : ' '}
          </small>
        </label>
        <label>
          Region (optional)
          <input maxLength={100} value={fields.region} onChange={set('region')} placeholder="Baden-Württemberg" />
        </label>
        <label>
          Integrator operating it (optional)
          <select value={fields.integratorOrgId} onChange={set('integratorOrgId')}>
            <option value="">none: vendor staff only</option>
            {(organizations.data ?? []).map((organization: Organization) => (
              <option key={organization.id} value={organization.id}>
                {organization.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </form>
      {error ? <ErrorMessage error={error} /> : null}
    </>
  );
}
