import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, asError, call } from '../api/client';
import type { Organization } from '../api/types';
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

/**
 * Tenant admins: a new plant. Its country decides which governance overlay its gateways get, so the
 * country is named in full as it is typed; the API checks it is a real ISO code. Opens the new site,
 * where its first gateway is enrolled.
 */
export function AddSite({ knownCountries }: { knownCountries: string[] }) {
  const navigate = useNavigate();
  const organizations = useQuery(() => call(api.GET('/v1/organizations', { params: { query: { limit: 100 } } })), []);
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const [region, setRegion] = useState('');
  const [integratorOrgId, setIntegratorOrgId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const named = countryName(country);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const site = await call(api.POST('/v1/sites', { body: { name: name.trim(), country, ...(region.trim() ? { region: region.trim() } : {}), ...(integratorOrgId ? { integratorOrgId } : {}) } }));
      void navigate(`/sites/${site.id}`);
    } catch (caught) {
      setError(asError(caught));
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="add-site-title">
      <h2 id="add-site-title">Add a site</h2>
      <form className="password-form" onSubmit={(event) => void submit(event)}>
        <label>
          Name
          <input required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} placeholder="Stuttgart Plant" />
        </label>
        <label>
          Country (ISO 3166-1 code; its governance overlay applies to the site)
          <input
            required
            list="known-countries"
            pattern="[A-Z]{2}"
            maxLength={2}
            autoCapitalize="characters"
            value={country}
            onChange={(event) => setCountry(event.target.value.toUpperCase())}
            placeholder="DE"
            aria-describedby="country-name"
          />
          <datalist id="known-countries">
            {knownCountries.map((code) => (
              <option key={code} value={code}>
                {countryName(code)}
              </option>
            ))}
          </datalist>
          <small id="country-name" className="muted" data-testid="country-name">
            {country.length === 2 ? (named ?? 'not a country code this browser knows') : ' '}
          </small>
        </label>
        <label>
          Region (optional)
          <input maxLength={100} value={region} onChange={(event) => setRegion(event.target.value)} placeholder="Baden-Württemberg" />
        </label>
        <label>
          Integrator operating it (optional)
          <select value={integratorOrgId} onChange={(event) => setIntegratorOrgId(event.target.value)}>
            <option value="">none: vendor staff only</option>
            {(organizations.data?.items ?? []).map((organization: Organization) => (
              <option key={organization.id} value={organization.id}>
                {organization.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Adding…' : 'Add site'}
        </button>
      </form>
      {error ? <ErrorMessage error={error} /> : null}
    </section>
  );
}
