import { useState } from 'react';
import { abortRollout, getRollout, isLive, pauseRollout, resumeRollout, rollbackRollout, ROLLOUT_STATES } from '../api/models';
import type { Rollout } from '../api/types';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useAction } from '../hooks/useAction';
import { useQuery } from '../hooks/useQuery';
import { Badge, ConfirmDialog, ProgressBar, Time } from './bits';
import { RolloutNodes } from './RolloutNodes';
import { Async, ErrorMessage } from './states';

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info'> = { running: 'info', paused: 'warn', completed: 'ok', rolled_back: 'bad', aborted: 'bad' };

/** One rollout with live progress: overall share active, nodes per state, batches, gate results and controls. */
export function RolloutPanel({ rollout, modelName, onChange }: { rollout: Rollout; modelName: string; onChange(): void }) {
  const session = useSignedIn();
  const live = isLive(rollout.status);
  const state = useQuery(() => getRollout(rollout.id), [rollout.id], { pollMs: live ? 1_000 : 10_000 });
  const { busy, error, run } = useAction();
  const [aborting, setAborting] = useState(false);
  const [rollback, setRollback] = useState(true);

  async function act(action: () => Promise<unknown>) {
    if (!(await run(action))) return;
    state.reload();
    onChange();
  }

  const title = `${modelName} ${rollout.version}`;
  return (
    <article className="rollout" aria-label={`Rollout of ${title}`} data-testid={`rollout-${rollout.version}`}>
      <Async state={state}>
        {(p) => (
          <>
            <h3>
              {title} <Badge tone={STATUS_TONE[p.status] ?? 'info'}>{p.status}</Badge>{' '}
              <span className="muted">
                started <Time value={p.createdAt} /> · batch {p.currentBatch} of {p.totalBatches}
              </span>
            </h3>
            <ProgressBar value={p.percentActive} max={100} label={`Share of ${p.totalNodes} target nodes active on ${rollout.version}`} />
            <p data-testid="rollout-summary">
              {p.percentActive}% of {p.totalNodes} node{p.totalNodes === 1 ? '' : 's'} active
            </p>
            <div className="rollout-states" role="list" aria-label="Nodes by state">
              {ROLLOUT_STATES.map((key) => (
                <div key={key} role="listitem" className="state-row" data-state={key} data-count={p.counts[key]}>
                  <span className="state-name">{key.replace('_', ' ')}</span>
                  <ProgressBar value={p.counts[key]} max={p.totalNodes} label={`Nodes ${key.replace('_', ' ')}`} />
                  <span className="state-count">{p.counts[key]}</span>
                </div>
              ))}
            </div>
            {p.batches.length ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Batch</th>
                    <th scope="col">Nodes</th>
                    <th scope="col">Started</th>
                    <th scope="col">Active</th>
                    <th scope="col">Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {p.batches.map((b) => (
                    <tr key={b.batch}>
                      <td>{b.batch === 1 ? '1 (canary)' : b.batch}</td>
                      <td>{b.nodes}</td>
                      <td>{b.started ? 'yes' : 'no'}</td>
                      <td>{b.counts.active}</td>
                      <td>{b.counts.failed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {p.gateResults.length ? (
              <ul className="gates" aria-label="Health gates">
                {p.gateResults.map((g) => (
                  <li key={`${g.batch}:${g.evaluatedAt}`}>
                    Batch {g.batch}: <Badge tone={g.passed ? 'ok' : 'bad'}>{g.passed ? 'passed' : 'failed'}</Badge> activation {Math.round(g.activationRatio * 100)}%
                    {g.errorRate === null ? '' : `, worst error rate judged ${(g.errorRate * 100).toFixed(1)}%`}, {g.requests} requests in all
                    {g.reasons.length ? ` — ${g.reasons.join('; ')}` : ''}
                  </li>
                ))}
              </ul>
            ) : null}
            <RolloutNodes rolloutId={p.id} live={isLive(p.status)} />
            {p.reason ? <p className="muted">Reason: {p.reason}</p> : null}
            {can.manageRollouts(session.role) ? (
              <div className="form-row">
                {p.status === 'running' ? (
                  <button type="button" className="button secondary" disabled={busy} onClick={() => void act(() => pauseRollout(p.id))}>
                    Pause
                  </button>
                ) : null}
                {p.status === 'paused' ? (
                  <button type="button" className="button secondary" disabled={busy} onClick={() => void act(() => resumeRollout(p.id))}>
                    Resume
                  </button>
                ) : null}
                {isLive(p.status) ? (
                  <button type="button" className="button secondary danger" disabled={busy} onClick={() => setAborting(true)}>
                    Abort
                  </button>
                ) : null}
                {p.status === 'completed' || p.status === 'aborted' ? (
                  <button type="button" className="button secondary" disabled={busy} onClick={() => void act(() => rollbackRollout(p.id, 'rolled back from the portal'))}>
                    Roll back
                  </button>
                ) : null}
              </div>
            ) : null}
            <ConfirmDialog
              open={aborting}
              title={`Abort the rollout of ${title}?`}
              confirmLabel="Abort rollout"
              busy={busy}
              onCancel={() => setAborting(false)}
              onConfirm={() => {
                setAborting(false);
                void act(() => abortRollout(p.id, rollback, 'aborted from the portal'));
              }}
            >
              <p>No further nodes receive {rollout.version}. {p.touchedNodes} node{p.touchedNodes === 1 ? ' has' : 's have'} already been reached.</p>
              <label className="checkbox">
                <input type="checkbox" checked={rollback} onChange={(event) => setRollback(event.target.checked)} /> Also send those nodes back to their previous version
              </label>
            </ConfirmDialog>
          </>
        )}
      </Async>
      {error ? <ErrorMessage error={error} /> : null}
    </article>
  );
}
