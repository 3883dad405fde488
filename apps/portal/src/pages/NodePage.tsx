import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, asError, call } from '../api/client';
import { formatLabels, parseLabels } from '../api/fleet';
import { listModels } from '../api/models';
import type { EdgeNode } from '../api/types';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { ConfirmDialog, PageHeader, StatusBadge, Time } from '../ui/bits';
import { DecisionList } from '../ui/DecisionList';
import { HeartbeatTimeline } from '../ui/HeartbeatTimeline';
import { Async, ErrorMessage } from '../ui/states';

export function NodePage() {
  const { nodeId = '' } = useParams();
  const session = useSignedIn();
  const state = useQuery(() => call(api.GET('/v1/nodes/{id}', { params: { path: { id: nodeId } } })), [nodeId], { pollMs: 2_000 });
  const models = useQuery(listModels, []);
  const modelName = (id: string) => models.data?.items.find((m) => m.id === id)?.name ?? id;
  return (
    <Async state={state}>
      {(node) => (
        <>
          <PageHeader title={node.name}>
            <StatusBadge status={node.status} />
            {can.revokeNodes(session.role) && node.status !== 'revoked' ? <RevokeNode node={node} onRevoked={state.reload} /> : null}
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
              {can.labelNodes(session.role) && node.status !== 'revoked' ? <EditLabels key={formatLabels(node.labels)} node={node} onSaved={state.reload} /> : null}
            </section>
          </div>
          <DecisionList filter={{ sourceId: node.id }} />
        </>
      )}
    </Async>
  );
}

/** Cuts a gateway off for good (stolen, decommissioned, compromised): after a confirmation that says what it does. */
function RevokeNode({ node, onRevoked }: { node: EdgeNode; onRevoked(): void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  async function revoke() {
    setBusy(true);
    setError(undefined);
    try {
      await call(api.POST('/v1/nodes/{id}/revoke', { params: { path: { id: node.id } } }));
      setOpen(false);
      onRevoked();
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" className="button secondary" onClick={() => setOpen(true)}>
        Revoke node
      </button>
      <ConfirmDialog open={open} title={`Revoke ${node.name}?`} confirmLabel="Revoke" busy={busy} onCancel={() => setOpen(false)} onConfirm={() => void revoke()}>
        <p>The node's key is refused from now on, on every control-plane replica, and its open streams end. It keeps enforcing the last policy it holds, offline; its history and audit trail stay. This cannot be undone: the gateway comes back only by enrolling again with a new token.</p>
        {error ? <ErrorMessage error={error} /> : null}
      </ConfirmDialog>
    </>
  );
}

/** Site operators: the node's labels as "key=value, …" text, checked here for its shape and by the API for its keys and values. */
function EditLabels({ node, onSaved }: { node: EdgeNode; onSaved(): void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(formatLabels(node.labels));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  if (!open) {
    return (
      <button type="button" className="button secondary" onClick={() => setOpen(true)}>
        Edit labels
      </button>
    );
  }
  async function save() {
    const parsed = parseLabels(text);
    if ('error' in parsed) {
      setError(new Error(parsed.error));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await call(api.PATCH('/v1/nodes/{id}', { params: { path: { id: node.id } }, body: { labels: parsed.labels } }));
      setOpen(false);
      onSaved();
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form
      className="toolbar-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label>
        Labels (key=value, separated by commas)
        <input value={text} onChange={(event) => setText(event.target.value)} placeholder="line=a, zone=north" size={40} />
      </label>
      <button type="submit" className="button" disabled={busy}>
        Save labels
      </button>
      <button type="button" className="button secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </form>
  );
}
