import { useState } from 'react';
import { api, call } from '../api/client';
import type { Site } from '../api/types';
import { ConfirmDialog } from './bits';
import { countryName, SiteForm, type SiteFields } from './SiteForm';

const named = (code: string) => (countryName(code) ? `${countryName(code)} (${code})` : code);

/** The fields that differ from the site as stored, as PATCH /v1/sites/:id takes them (cleared optional ones as null). */
export function siteChanges(site: Pick<Site, 'name' | 'country' | 'region' | 'integratorOrgId'>, fields: SiteFields) {
  return {
    ...(fields.name !== site.name ? { name: fields.name } : {}),
    ...(fields.country !== site.country ? { country: fields.country } : {}),
    ...(fields.region !== (site.region ?? '') ? { region: fields.region || null } : {}),
    ...(fields.integratorOrgId !== (site.integratorOrgId ?? '') ? { integratorOrgId: fields.integratorOrgId || null } : {}),
  };
}

/**
 * Vendor staff: rename a site, correct its region, hand it to another integrator or move it to
 * another country. A move changes the rules its gateways enforce, so it is confirmed first, naming
 * both countries.
 */
export function EditSite({ site, knownCountries, onSaved }: { site: Site; knownCountries: string[]; onSaved(message: string): void }) {
  const [open, setOpen] = useState(false);
  const [moving, setMoving] = useState<{ changes: ReturnType<typeof siteChanges>; resolve(): void; reject(error: unknown): void } | undefined>();

  const save = async (changes: ReturnType<typeof siteChanges>) => {
    await call(api.PATCH('/v1/sites/{id}', { params: { path: { id: site.id } }, body: changes }));
    setOpen(false);
    onSaved(changes.country ? `Saved. The site is now in ${named(changes.country)}: its gateways get that country's policy bundle.` : 'Saved.');
  };

  if (!open) {
    return (
      <button type="button" className="button secondary" onClick={() => setOpen(true)}>
        Edit site
      </button>
    );
  }
  return (
    <section className="card" aria-labelledby="edit-site-title">
      <h2 id="edit-site-title">Edit site</h2>
      <SiteForm
        initial={{ name: site.name, country: site.country, region: site.region ?? '', integratorOrgId: site.integratorOrgId ?? '' }}
        knownCountries={knownCountries}
        submitLabel="Save"
        onSubmit={(fields) => {
          const changes = siteChanges(site, fields);
          if (Object.keys(changes).length === 0) {
            setOpen(false);
            return Promise.resolve();
          }
          if (!changes.country) return save(changes);
          // The form waits (busy, errors shown in it) until the move is confirmed or cancelled.
          return new Promise<void>((resolve, reject) => setMoving({ changes, resolve, reject }));
        }}
      />
      <button type="button" className="button secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ConfirmDialog
        open={moving !== undefined}
        title={`Move ${site.name} to ${named(moving?.changes.country ?? '')}?`}
        confirmLabel="Move site"
        onCancel={() => {
          moving?.resolve();
          setMoving(undefined);
        }}
        onConfirm={() => {
          const pending = moving!;
          setMoving(undefined);
          save(pending.changes).then(pending.resolve, pending.reject);
        }}
      >
        <p>
          Its gateways stop enforcing the {named(site.country)} overlay: a bundle with the base policy and the {named(moving?.changes.country ?? '')} overlay is compiled, signed and pushed to them. Data residency, consent and redaction rules change with it.
        </p>
      </ConfirmDialog>
    </section>
  );
}
