import { summarizeCard } from '../api/models';
import { Json } from './bits';

export function ModelCard({ card, label }: { card: unknown; label: string }) {
  const s = summarizeCard(card);
  return (
    <div className="model-card" aria-label={label} role="group">
      <dl className="facts">
        <dt>Task</dt>
        <dd>{s.task ?? '—'}</dd>
        <dt>Intended use</dt>
        <dd>{s.intendedUse ?? '—'}</dd>
        <dt>Reads</dt>
        <dd>{s.inputCategories?.join(', ') ?? '—'}</dd>
        <dt>Writes</dt>
        <dd>{s.outputCategory ?? '—'}</dd>
        <dt>Training data</dt>
        <dd>{s.trainingData ?? '—'}</dd>
        <dt>Evaluation</dt>
        <dd>{s.evaluation ? Object.entries(s.evaluation).map(([k, v]) => `${k} ${String(v)}`).join(', ') : '—'}</dd>
        <dt>Export classification</dt>
        <dd>{s.exportClassification ?? '—'}</dd>
      </dl>
      {s.io.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Tensor</th>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Shape</th>
            </tr>
          </thead>
          <tbody>
            {s.io.map((t) => (
              <tr key={`${t.direction}:${t.name}`}>
                <td>{t.direction}</td>
                <td>
                  <code>{t.name}</code>
                </td>
                <td>{t.type}</td>
                <td>{t.shape}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <details>
        <summary>Full card</summary>
        <Json value={card} label={`${label} (JSON)`} />
      </details>
    </div>
  );
}
