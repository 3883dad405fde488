import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../api/client';
import { allNodes, policyStatus } from '../api/fleet';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { countryName } from '../ui/SiteForm';
import { Badge, PageHeader, StatusBadge, Time } from '../ui/bits';
import { DecisionList } from '../ui/DecisionList';
import { ConfirmedAction } from '../ui/ConfirmedAction';
import { EditSite } from '../ui/EditSite';
import { EnrollGateway } from '../ui/EnrollGateway';
import { Async } from '../ui/states';

export function SitePage() {
  const { siteId = '' } = useParams();
  const session = useSignedIn();
  const navigate = useNavigate();
  const [saved, setSaved] = useState<string | undefined>();
  const state = useQuery(
    async () => {
      const [site, nodes, status, consent] = await Promise.all([
        call(api.GET('/v1/sites/{id}', { params: { path: { id: siteId } } })),
        allNodes(siteId),
        policyStatus(siteId),
        call(api.GET('/v1/sites/{id}/consent', { params: { path: { id: siteId } } })),
      ]);
      return { site, nodes, status, consent };
    },
    [siteId],
    { pollMs: 2_000 },
  );
  return (
    <Async state={state}>
      {({ site, nodes, status, consent }) => (
        <>
          <PageHeader title={site.name}>
            <span className="muted">
              {countryName(site.country) ? `${countryName(site.country)} (${site.country})` : site.country}
              {site.region ? ` · ${site.region}` : ''}
            </span>
            {can.removeSites(session.role) && nodes.length === 0 ? (
              <ConfirmedAction label="Remove site" title={`Remove ${site.name}?`} confirmLabel="Remove" perform={() => call(api.DELETE('/v1/sites/{id}', { params: { path: { id: site.id } } }))} onDone={() => void navigate('/fleet')}>
                <p>The site is deleted with its consent settings, enrollment tokens and compiled policy bundles. Its audit trail stays and still verifies. This cannot be undone.</p>
              </ConfirmedAction>
            ) : null}
          </PageHeader>
          {can.editSites(session.role) ? (
            <EditSite
              key={site.updatedAt}
              site={site}
              knownCountries={[site.country]}
              onSaved={(message) => {
                setSaved(message);
                state.reload();
              }}
            />
          ) : null}
          {saved ? (
            <p role="status" data-testid="site-saved">
              {saved}
            </p>
          ) : null}
          <div className="grid-2">
            <section className="card" aria-labelledby="nodes-title">
              <h2 id="nodes-title">Nodes</h2>
              {nodes.length === 0 ? (
                <p className="state state-empty">No nodes enrolled at this site yet.{can.enrollNodes(session.role) ? ' Create an enrollment token below for its first gateway.' : ''}</p>
              ) : (
                <table data-testid="site-nodes">
                  <thead>
                    <tr>
                      <th scope="col">Node</th>
                      <th scope="col">Status</th>
                      <th scope="col">Last heartbeat</th>
                      <th scope="col">Policy</th>
                      <th scope="col">Models</th>
                    </tr>
                  </thead>
                  <tbody>
                    {nodes.map((node) => {
                      const applied = status.nodes.find((n) => n.nodeId === node.id);
                      return (
                        <tr key={node.id} data-node={node.name}>
                          <th scope="row">
                            <Link to={`/nodes/${node.id}`}>{node.name}</Link>
                          </th>
                          <td>
                            <StatusBadge status={node.status} />
                          </td>
                          <td>
                            <Time value={node.lastSeenAt} />
                          </td>
                          <td>{applied ? <Badge tone={applied.compliant ? 'ok' : 'warn'}>{applied.appliedVersion === null ? 'none' : `v${applied.appliedVersion}`}</Badge> : '—'}</td>
                          <td>{node.reported.models?.length ? node.reported.models.map((m) => `${m.version} (${m.state})`).join(', ') : <span className="muted">none</span>}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
              <p className="muted">
                Latest bundle: {status.latestVersion === null ? 'none published' : `v${status.latestVersion}`}
                {status.publishedAt ? (
                  <>
                    {' '}
                    (<Time value={status.publishedAt} />)
                  </>
                ) : null}
              </p>
            </section>
            <section className="card" aria-labelledby="consent-title">
              <h2 id="consent-title">Consent</h2>
              {Object.keys(consent.flags).length === 0 ? (
                <p className="state state-empty">No consent flags set.</p>
              ) : (
                <ul className="flag-list">
                  {Object.entries(consent.flags).map(([flag, on]) => (
                    <li key={flag}>
                      <code>{flag}</code> <Badge tone={on ? 'ok' : 'info'}>{on ? 'granted' : 'not granted'}</Badge>
                    </li>
                  ))}
                </ul>
              )}
              <Link to="/consent">Manage consent</Link>
            </section>
          </div>
          {can.enrollNodes(session.role) ? <EnrollGateway siteId={siteId} /> : null}
          <DecisionList filter={{ siteId }} />
        </>
      )}
    </Async>
  );
}
