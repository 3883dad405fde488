import { useState } from 'react';
import { rolloutNodes } from '../api/models';
import { useQuery } from '../hooks/useQuery';
import { Badge, Time } from './bits';
import { Async } from './states';

const TONE = { active: 'ok', failed: 'bad', rolled_back: 'bad', pending: 'info' } as const;

/** The rollout's nodes one by one (first 100), loaded and kept fresh only while expanded. */
export function RolloutNodes({ rolloutId, live }: { rolloutId: string; live: boolean }) {
  const [open, setOpen] = useState(false);
  const state = useQuery(() => rolloutNodes(rolloutId), [rolloutId], { pollMs: live ? 2_000 : undefined, enabled: open });
  return (
    <details onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}>
      <summary>Target nodes</summary>
      {open ? (
        <Async state={state} empty={(page) => (page.items.length === 0 ? 'No nodes targeted.' : undefined)}>
          {(page) => (
            <table data-testid="rollout-nodes">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Country</th>
                  <th scope="col">Batch</th>
                  <th scope="col">State</th>
                  <th scope="col">Previous</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((node) => (
                  <tr key={node.nodeId} data-node={node.name} data-state={node.state}>
                    <td>{node.name}</td>
                    <td>{node.country}</td>
                    <td>{node.batch}</td>
                    <td>
                      <Badge tone={TONE[node.state as keyof typeof TONE] ?? 'warn'}>{node.started ? node.state.replace('_', ' ') : 'waiting'}</Badge>
                      {node.detail ? <span className="muted"> {node.detail}</span> : null}
                    </td>
                    <td>{node.previousVersion ?? '—'}</td>
                    <td>
                      <Time value={node.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      ) : null}
    </details>
  );
}
