import { useState } from 'react';
import { api, call } from '../api/client';
import { allSites, policyStatus } from '../api/fleet';
import { BASE, consentGates, latest } from '../api/governance';
import type { Site } from '../api/types';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useAction } from '../hooks/useAction';
import { useQuery } from '../hooks/useQuery';
import { ConfirmDialog, PageHeader, Time } from '../ui/bits';
import { Propagation } from '../ui/Propagation';
import { Async, ErrorMessage } from '../ui/states';

export function ConsentPage() {
  const state = useQuery(allSites, []);
  return (
    <>
      <PageHeader title="Consent" />
      <p className="lead">Consent flags are the plant’s agreements. Policies require them before some data may leave a site; a change is pushed to the site’s nodes at once.</p>
      <Async state={state} empty={(sites) => (sites.length === 0 ? 'No sites you can see.' : undefined)}>
        {(sites) => (
          <div className="stack">
            {sites.map((site) => (
              <SiteConsent key={site.id} site={site} />
            ))}
          </div>
        )}
      </Async>
    </>
  );
}

interface Pending {
  flag: string;
  value: boolean;
}

function SiteConsent({ site }: { site: Site }) {
  const session = useSignedIn();
  const state = useQuery(
    async () => {
      const [consent, base, overlay, status] = await Promise.all([
        call(api.GET('/v1/sites/{id}/consent', { params: { path: { id: site.id } } })),
        latest(BASE),
        latest(site.country),
        policyStatus(site.id),
      ]);
      const gates = consentGates(base?.document);
      for (const [flag, categories] of consentGates(overlay?.document)) gates.set(flag, [...new Set([...(gates.get(flag) ?? []), ...categories])]);
      return { consent, gates, status };
    },
    [site.id],
  );
  const [pending, setPending] = useState<Pending | undefined>();
  const { busy, error, run } = useAction();
  const [change, setChange] = useState<{ jobId: string | undefined; before: Record<string, number | null> } | undefined>();
  const editable = can.setConsent(session.role);

  async function confirm() {
    if (!pending || !state.data) return;
    const before = { [site.id]: state.data.status.latestVersion };
    const { flag, value } = pending;
    const done = await run(async () => {
      const result = await call(api.PUT('/v1/sites/{id}/consent', { params: { path: { id: site.id } }, body: { flags: { [flag]: value } } }));
      setChange({ jobId: result.jobId, before });
    });
    setPending(undefined);
    if (done) state.reload();
  }

  const headingId = `consent-${site.id}`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`consent-site-${site.country}`}>
      <h2 id={headingId}>
        {site.name} <span className="muted">({site.country})</span>
      </h2>
      <Async state={state}>
        {({ consent, gates }) => {
          const flags = [...new Set([...Object.keys(consent.flags), ...gates.keys()])].sort();
          if (flags.length === 0) return <p className="state state-empty">No policy asks for consent at this site, and no flags are set.</p>;
          return (
            <>
              <ul className="consent-flags">
                {flags.map((flag) => {
                  const on = consent.flags[flag] === true;
                  const categories = gates.get(flag) ?? [];
                  return (
                    <li key={flag}>
                      <button type="button" role="switch" aria-checked={on} className="switch" disabled={!editable || busy} onClick={() => setPending({ flag, value: !on })} aria-describedby={`${headingId}-${flag}`}>
                        <span className="switch-knob" aria-hidden="true" />
                        <span className="switch-label">{flag}</span>
                      </button>
                      <span id={`${headingId}-${flag}`} className="muted">
                        {on ? 'granted' : 'not granted'}
                        {categories.length ? ` · gates ${categories.join(', ')}` : ' · no current policy uses it'}
                      </span>
                    </li>
                  );
                })}
              </ul>
              <p className="muted">
                Last changed: <Time value={consent.updatedAt} />
                {consent.updatedBy ? ` by ${consent.updatedBy}` : ''}
              </p>
              {!editable ? <p className="muted">Your role can view consent but not change it.</p> : null}
              <ConfirmDialog
                open={pending !== undefined}
                title={pending ? `${pending.value ? 'Grant' : 'Withdraw'} “${pending.flag}” at ${site.name}?` : ''}
                confirmLabel={pending?.value ? 'Grant consent' : 'Withdraw consent'}
                busy={busy}
                onCancel={() => setPending(undefined)}
                onConfirm={() => void confirm()}
              >
                {pending ? <p data-testid="consent-effect">{effectOf(pending, gates.get(pending.flag) ?? [], site)}</p> : null}
              </ConfirmDialog>
            </>
          );
        }}
      </Async>
      {error ? <ErrorMessage error={error} /> : null}
      {change ? <Propagation jobId={change.jobId} siteIds={[site.id]} before={change.before} canFollowJob={can.followJobs(session.role)} /> : null}
    </section>
  );
}

function effectOf(pending: Pending, categories: string[], site: Site): string {
  const data = categories.length ? categories.join(', ') : 'no data category (no current policy uses this flag)';
  return pending.value
    ? `Granting lets ${data} leave ${site.name} wherever the policy allows it. The site’s policy is recompiled and its nodes switch to the new version within seconds.`
    : `Withdrawing stops ${data} from leaving ${site.name}: the nodes deny it as soon as they receive the new policy version, within seconds.`;
}
