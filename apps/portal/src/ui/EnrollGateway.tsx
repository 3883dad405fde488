import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../api/client';
import { allPages } from '../api/fleet';
import type { CreatedEnrollmentToken, EnrollmentToken } from '../api/types';
import { useAction } from '../hooks/useAction';
import { useQuery } from '../hooks/useQuery';
import { Badge, Time } from './bits';
import { ErrorMessage, Outcome } from './states';

const LIFETIMES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: 7 * 24 * 3600, label: '7 days' },
];
const STATUS_TONE: Record<EnrollmentToken['status'], 'ok' | 'warn' | 'bad' | 'info'> = { active: 'ok', used: 'info', expired: 'warn', revoked: 'bad' };

/** The agent's settings for one new token, as lines of an environment file (the agent reads these variables). */
export function agentEnvironment(created: Pick<CreatedEnrollmentToken, 'token' | 'agentEndpoint'>): string {
  // Comments on lines of their own: env files (docker --env-file, systemd) take the rest of a line as the value.
  return [
    `MERIDIAN_CONTROL_PLANE=${created.agentEndpoint.address}`,
    `MERIDIAN_ENROLLMENT_TOKEN=${created.token}`,
    ...(created.agentEndpoint.tls ? ["# the CA that signed the endpoint's certificate:", 'MERIDIAN_TLS_CA_FILE=/etc/meridian/ca.pem'] : []),
    '# optional, how the node is listed (default: the host name):',
    '# MERIDIAN_NODE_NAME=gw-1',
  ].join('\n');
}

/**
 * Site operators: issue a single-use enrollment token for one more gateway of this site, shown once
 * with the agent's settings; follow the site's tokens (used by which node, expired) and revoke one
 * that was handed out but should not be used.
 */
export function EnrollGateway({ siteId }: { siteId: string }) {
  const tokens = useQuery(
    () => allPages((cursor) => call(api.GET('/v1/enrollment-tokens', { params: { query: { siteId, limit: 100, ...(cursor ? { cursor } : {}) } } })), 2),
    [siteId],
    { pollMs: 5_000 },
  );
  const [ttlSeconds, setTtlSeconds] = useState(24 * 3600);
  const [created, setCreated] = useState<CreatedEnrollmentToken | undefined>();
  const { busy, error, run } = useAction();
  const [status, setStatus] = useState<string | undefined>();

  async function act(work: () => Promise<void>) {
    setStatus(undefined);
    if (await run(work)) tokens.reload();
  }

  const issue = () =>
    act(async () => {
      setCreated(await call(api.POST('/v1/enrollment-tokens', { body: { siteId, ttlSeconds } })));
    });
  const revoke = (token: EnrollmentToken) =>
    act(async () => {
      await call(api.DELETE('/v1/enrollment-tokens/{id}', { params: { path: { id: token.id } } }));
      if (created?.id === token.id) setCreated(undefined);
      setStatus('Token revoked: no gateway can enroll with it.');
    });

  return (
    <section className="card" aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enroll a gateway</h2>
      <p className="muted">A token lets one agent enroll into this site, once, before it expires. The agent makes its own key; the token never leaves the gateway after that.</p>
      <div className="toolbar-form">
        <label>
          Valid for
          <select value={ttlSeconds} onChange={(event) => setTtlSeconds(Number(event.target.value))}>
            {LIFETIMES.map((lifetime) => (
              <option key={lifetime.seconds} value={lifetime.seconds}>
                {lifetime.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" disabled={busy} onClick={() => void issue()}>
          Create enrollment token
        </button>
      </div>
      {created ? (
        <div className="token-once" data-testid="new-token">
          <p>
            <strong>Copy these settings now:</strong> the token is shown only this once (only its hash is kept). Give them to the agent on the gateway; it enrolls when it starts. The token expires <Time value={created.expiresAt} />.
          </p>
          <textarea readOnly rows={agentEnvironment(created).split('\n').length} value={agentEnvironment(created)} aria-label="Agent settings" data-testid="agent-environment" onFocus={(event) => event.currentTarget.select()} />
          <button type="button" className="button secondary" onClick={() => void navigator.clipboard?.writeText(agentEnvironment(created)).then(() => setStatus('Settings copied.'), () => setStatus('Copying is not allowed here: select the text and copy it.'))}>
            Copy
          </button>
        </div>
      ) : null}
      <Outcome status={status} error={error} />
      <h3>Tokens of this site</h3>
      {tokens.error && !tokens.data ? <ErrorMessage error={tokens.error} onRetry={tokens.reload} /> : null}
      {tokens.data?.length === 0 ? <p className="state state-empty">No tokens issued yet.</p> : null}
      {tokens.data?.length ? (
        <table data-testid="enrollment-tokens">
          <thead>
            <tr>
              <th scope="col">Issued</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Enrolled</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <tr key={token.id} data-token={token.id}>
                <td>
                  <Time value={token.createdAt} />
                </td>
                <td>
                  <Badge tone={STATUS_TONE[token.status]}>{token.status}</Badge>
                </td>
                <td>
                  <Time value={token.expiresAt} />
                </td>
                <td>{token.usedByNodeId ? <Link to={`/nodes/${token.usedByNodeId}`}>node</Link> : '—'}</td>
                <td>
                  {token.status === 'active' ? (
                    <button type="button" className="button secondary" disabled={busy} onClick={() => void revoke(token)} aria-label={`Revoke the token issued ${token.createdAt}`}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
