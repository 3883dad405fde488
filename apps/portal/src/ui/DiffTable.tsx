import { diff } from '../api/governance';
import { useQuery } from '../hooks/useQuery';
import { Async } from './states';

const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));

/** What changed between two saved versions of a scope, path by path. */
export function DiffTable({ scope, from, to }: { scope: string; from: number; to: number }) {
  const state = useQuery(() => diff(scope, from, to), [scope, from, to]);
  return (
    <div className="diff" data-testid="policy-diff">
      <h3>
        Changes from v{from} to v{to}
      </h3>
      <Async state={state} empty={(d) => (d.changes.length === 0 ? 'No changes: the documents are identical.' : undefined)}>
        {(d) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Change</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {d.changes.map((change) => (
                <tr key={change.path} className={`diff-${change.change}`}>
                  <td>
                    <code>{change.path}</code>
                  </td>
                  <td>{change.change}</td>
                  <td>
                    <code>{show(change.from)}</code>
                  </td>
                  <td>
                    <code>{show(change.to)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </div>
  );
}
