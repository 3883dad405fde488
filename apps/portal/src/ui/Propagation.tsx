import { Link } from 'react-router';
import { allSites, policyStatus } from '../api/fleet';
import { job as fetchJob } from '../api/governance';
import type { SitePolicyStatus } from '../api/types';
import { useQuery } from '../hooks/useQuery';
import { Badge, ProgressBar } from './bits';
import { Async } from './states';

/**
 * Live propagation of a publish or consent change: the compile job, then each node of the affected
 * sites acknowledging its site's latest bundle. Polls until every node runs it.
 */
export function Propagation({ jobId, siteIds, country, canFollowJob, before }: {
  jobId: string | undefined;
  siteIds?: string[];
  country?: string;
  /** Job state is visible to tenant admins only; others follow the bundle versions alone. */
  canFollowJob: boolean;
  /** Each site's latest bundle version before the change: a node acknowledges once it runs a newer one. */
  before?: Record<string, number | null>;
}) {
  const state = useQuery(
    async () => {
      const sites = (await allSites()).filter((s) => (siteIds ? siteIds.includes(s.id) : country ? s.country === country : true));
      const [statuses, job] = await Promise.all([Promise.all(sites.map((s) => policyStatus(s.id))), jobId && canFollowJob ? fetchJob(jobId).catch(() => undefined) : Promise.resolve(undefined)]);
      return { sites, statuses, job };
    },
    [jobId, siteIds?.join(','), country],
    { pollMs: 1_000 },
  );
  const jobDone = canFollowJob && state.data?.job?.state === 'completed';
  // A site has its new bundle once its version moved; a completed job with no new version means nothing changed there.
  const advanced = (status: SitePolicyStatus) => !before || status.latestVersion !== (before[status.siteId] ?? null) || jobDone;
  const acked = (status: SitePolicyStatus, node: SitePolicyStatus['nodes'][number]) => node.compliant && advanced(status);
  const nodes = (state.data?.statuses ?? []).flatMap((s) => s.nodes.map((n) => ({ ...n, acknowledged: acked(s, n) })));
  const acknowledged = nodes.filter((n) => n.acknowledged).length;
  const complete = (jobDone || !canFollowJob) && nodes.length > 0 && acknowledged === nodes.length;
  return (
    <section className="card propagation" aria-labelledby="propagation-title" aria-live="polite" data-testid="propagation">
      <h2 id="propagation-title">Propagation</h2>
      <Async state={state} empty={(d) => (d.sites.length === 0 ? 'No affected sites.' : undefined)}>
        {({ sites, statuses, job }) => (
          <>
            {canFollowJob ? (
              <p>
                Compile job: <Badge tone={job?.state === 'completed' ? 'ok' : job?.state === 'failed' ? 'bad' : 'info'}>{job?.state ?? 'queued'}</Badge>
                {job?.failedReason ? <span className="field-error"> {job.failedReason}</span> : null}
              </p>
            ) : null}
            <ProgressBar value={acknowledged} max={nodes.length} label="Nodes running the latest policy" />
            <p data-testid="propagation-summary">
              {acknowledged} of {nodes.length} node{nodes.length === 1 ? '' : 's'} acknowledged {complete ? '— complete' : '— waiting'}
            </p>
            {statuses.map((status: SitePolicyStatus) => (
              <div key={status.siteId}>
                <h3>
                  <Link to={`/sites/${status.siteId}`}>{sites.find((s) => s.id === status.siteId)?.name ?? status.siteId}</Link>{' '}
                  <span className="muted">latest bundle {status.latestVersion === null ? 'none' : `v${status.latestVersion}`}</span>
                </h3>
                <ul className="node-acks">
                  {status.nodes.length === 0 ? <li className="muted">no nodes</li> : null}
                  {status.nodes.map((node) => (
                    <li key={node.nodeId} data-node={node.name} data-applied={node.appliedVersion ?? ''} data-acknowledged={acked(status, node)}>
                      {node.name}: <Badge tone={acked(status, node) ? 'ok' : node.error ? 'bad' : 'warn'}>{node.appliedVersion === null ? 'no bundle' : `runs v${node.appliedVersion}`}</Badge>
                      {node.error ? <span className="field-error"> {node.error}</span> : null}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </>
        )}
      </Async>
    </section>
  );
}
