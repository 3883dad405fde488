import { Link } from 'react-router';
import { allNodes, allSites, policyStatus, summarizeByCountry } from '../api/fleet';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { AddSite } from '../ui/SiteForm';
import { Badge, PageHeader } from '../ui/bits';
import { CountryChart } from '../ui/CountryChart';
import { Async } from '../ui/states';

const POLL_MS = 3_000;

export function FleetPage() {
  const session = useSignedIn();
  const state = useQuery(
    async () => {
      const [sites, nodes] = await Promise.all([allSites(), allNodes()]);
      const statuses = await Promise.all(sites.slice(0, 50).map((site) => policyStatus(site.id)));
      return { sites, nodes, statuses, countries: summarizeByCountry(sites, nodes, statuses) };
    },
    [],
    { pollMs: POLL_MS },
  );
  return (
    <>
      <PageHeader title="Fleet" />
      <Async state={state} empty={(d) => (d.sites.length === 0 ? (can.addSites(session.role) ? 'No sites yet: add the first plant below.' : 'No sites yet. Sites appear here once a vendor admin creates them.') : undefined)}>
        {({ countries, statuses, nodes }) => (
          <div className="grid-2">
            <section className="card" aria-labelledby="by-country">
              <h2 id="by-country">Nodes by country</h2>
              <CountryChart countries={countries} />
            </section>
            <section className="card" aria-labelledby="sites-title">
              <h2 id="sites-title">Sites</h2>
              {countries.map((country) => (
                <div key={country.country} className="country-group" data-testid={`country-${country.country}`}>
                  <h3>
                    {country.country} <span className="muted">· {country.sites.length} site{country.sites.length === 1 ? '' : 's'}</span>
                  </h3>
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Site</th>
                        <th scope="col">Online</th>
                        <th scope="col">Stale</th>
                        <th scope="col">Offline</th>
                        <th scope="col">Policy</th>
                      </tr>
                    </thead>
                    <tbody>
                      {country.sites.map((site) => {
                        const siteNodes = nodes.filter((n) => n.siteId === site.id);
                        const status = statuses.find((s) => s.siteId === site.id);
                        const compliant = status?.nodes.filter((n) => n.compliant).length ?? 0;
                        return (
                          <tr key={site.id}>
                            <th scope="row">
                              <Link to={`/sites/${site.id}`}>{site.name}</Link>
                            </th>
                            <td>{siteNodes.filter((n) => n.status === 'online').length}</td>
                            <td>{siteNodes.filter((n) => n.status === 'stale').length}</td>
                            <td>{siteNodes.filter((n) => n.status === 'offline').length}</td>
                            <td>
                              {!status || status.latestVersion === null ? (
                                <Badge tone="info">not published</Badge>
                              ) : (
                                <Badge tone={compliant === status.nodes.length ? 'ok' : 'warn'}>
                                  v{status.latestVersion}: {compliant}/{status.nodes.length} nodes
                                </Badge>
                              )}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              ))}
            </section>
          </div>
        )}
      </Async>
      {can.addSites(session.role) && state.data ? <AddSite knownCountries={[...new Set(state.data.sites.map((site) => site.country))].sort()} /> : null}
    </>
  );
}
