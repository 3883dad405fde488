import { useState } from 'react';
import { versions } from '../api/governance';
import { useQuery } from '../hooks/useQuery';
import { Time } from './bits';
import { DiffTable } from './DiffTable';
import { Async } from './states';

export function VersionHistory({ scope }: { scope: string }) {
  const state = useQuery(() => versions(scope), [scope], { pollMs: 10_000 });
  const [selected, setSelected] = useState<number | undefined>();
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Version history</h2>
      <Async state={state} empty={(d) => (d.items.length === 0 ? 'No versions saved yet.' : undefined)}>
        {(d) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Saved</th>
                  <th scope="col">By</th>
                  <th scope="col">Comment</th>
                  <th scope="col">
                    <span className="sr-only">Compare</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((v) => (
                  <tr key={v.version}>
                    <td>v{v.version}</td>
                    <td>
                      <Time value={v.createdAt} />
                    </td>
                    <td>{v.createdBy ?? '—'}</td>
                    <td>{v.comment ?? ''}</td>
                    <td>
                      {v.version > 1 ? (
                        <button type="button" className="link" onClick={() => setSelected(v.version)} aria-pressed={selected === v.version}>
                          Changes from v{v.version - 1}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {selected ? <DiffTable scope={scope} from={selected - 1} to={selected} /> : null}
          </>
        )}
      </Async>
    </section>
  );
}
