import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../api/client';
import { listModels } from '../api/models';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { PageHeader, StatusBadge, Time } from '../ui/bits';
import { DecisionList } from '../ui/DecisionList';
import { HeartbeatTimeline } from '../ui/HeartbeatTimeline';
import { EditLabels, RemoveNode, RenameNode, RevokeNode } from '../ui/NodeActions';
import { Async } from '../ui/states';

export function NodePage() {
  const { nodeId = '' } = useParams();
  const session = useSignedIn();
  const navigate = useNavigate();
  const state = useQuery(() => call(api.GET('/v1/nodes/{id}', { params: { path: { id: nodeId } } })), [nodeId], { pollMs: 2_000 });
  const models = useQuery(listModels, []);
  const modelName = (id: string) => models.data?.items.find((m) => m.id === id)?.name ?? id;
  return (
    <Async state={state}>
      {(node) => (
        <>
          <PageHeader title={node.name}>
            <StatusBadge status={node.status} />
            {can.editNodes(session.role) && node.status !== 'revoked' ? <RenameNode node={node} onSaved={state.reload} /> : null}
            {can.revokeNodes(session.role) && node.status !== 'revoked' ? <RevokeNode node={node} onRevoked={state.reload} /> : null}
            {can.removeNodes(session.role) && (node.status === 'revoked' || node.status === 'pending') ? <RemoveNode node={node} onRemoved={() => void navigate(`/sites/${node.siteId}`)} /> : null}
          </PageHeader>
          {node.revokedAt ? (
            <p className="stale-warning" role="status" data-testid="node-revoked">
              Revoked <Time value={node.revokedAt} />: this node can no longer connect. Its history stays; to bring the gateway back, enroll it again with a new token.
            </p>
          ) : null}
          <div className="grid-2">
            <section className="card" aria-labelledby="heartbeat-title">
              <h2 id="heartbeat-title">Heartbeat</h2>
              <HeartbeatTimeline lastSeenAt={node.lastSeenAt} />
              <dl className="facts">
                <dt>Last heartbeat</dt>
                <dd data-testid="last-heartbeat">
                  <Time value={node.lastSeenAt} />
                </dd>
                <dt>Uptime</dt>
                <dd>{node.reported.uptimeSeconds === undefined ? '—' : `${node.reported.uptimeSeconds} s`}</dd>
                <dt>Agent version</dt>
                <dd>{node.agentVersion ?? '—'}</dd>
                <dt>Audit events waiting to upload</dt>
                <dd>{node.reported.auditPendingEvents ?? '—'}</dd>
                <dt>Inference</dt>
                <dd>{node.reported.inference ? `${node.reported.inference.requests} requests, ${node.reported.inference.denied} denied, ${node.reported.inference.errors} errors` : '—'}</dd>
                <dt>Site</dt>
                <dd>
                  <Link to={`/sites/${node.siteId}`}>open site</Link>
                </dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="running-title">
              <h2 id="running-title">Running</h2>
              <dl className="facts">
                <dt>Policy version</dt>
                <dd data-testid="node-policy-version">{node.reported.policyVersion === undefined ? 'none' : `v${node.reported.policyVersion}`}</dd>
                <dt>Policy digest</dt>
                <dd>
                  <code>{node.reported.policyDigest?.slice(0, 16) ?? '—'}</code>
                </dd>
              </dl>
              <h3>Models</h3>
              {node.reported.models?.length ? (
                <table data-testid="node-models">
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      <th scope="col">Version</th>
                      <th scope="col">State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {node.reported.models.map((model) => (
                      <tr key={`${model.modelId}@${model.version}`}>
                        <td>{modelName(model.modelId)}</td>
                        <td>{model.version}</td>
                        <td>{model.state}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="state state-empty">No models reported.</p>
              )}
              <h3>Labels</h3>
              <p className="muted">Rollouts choose nodes by their labels.</p>
              {Object.keys(node.labels).length ? (
                <p data-testid="node-labels">
                  {Object.entries(node.labels).map(([key, value]) => (
                    <code key={key} className="label-chip">
                      {key}={value}
                    </code>
                  ))}
                </p>
              ) : (
                <p className="muted" data-testid="node-labels">
                  none
                </p>
              )}
              {can.editNodes(session.role) && node.status !== 'revoked' ? <EditLabels node={node} onSaved={state.reload} /> : null}
            </section>
          </div>
          <DecisionList filter={{ sourceId: node.id }} />
        </>
      )}
    </Async>
  );
}
