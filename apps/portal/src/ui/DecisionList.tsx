import { Link } from 'react-router';
import { api, call } from '../api/client';
import type { AuditQuery } from '../api/types';
import { useQuery } from '../hooks/useQuery';
import { DecisionBadge, Time } from './bits';
import { Async } from './states';

/** Records that carry a governed decision: decisions asked for (POST /v1/decide, egress) and inferences, which record their own. */
const DECISION_TYPES = 'policy.decision,model.inference';

/** The latest governed decisions of a site or node, from the audit log. */
export function DecisionList({ filter, title = 'Recent decisions' }: { filter: Pick<AuditQuery, 'siteId' | 'sourceId'>; title?: string }) {
  const state = useQuery(() => call(api.GET('/v1/audit/events', { params: { query: { ...filter, type: DECISION_TYPES, limit: 10 } } })), [filter.siteId, filter.sourceId], { pollMs: 5_000 });
  return (
    <section className="card" aria-labelledby="decisions-title">
      <h2 id="decisions-title">{title}</h2>
      <Async state={state} empty={(page) => (page.items.length === 0 ? 'No decisions recorded yet.' : undefined)}>
        {(page) => (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Category</th>
                <th scope="col">Decision</th>
                <th scope="col">Event</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((event) => (
                <tr key={`${event.sourceId}/${event.seq}`}>
                  <td>
                    <Time value={event.occurredAt} />
                  </td>
                  <td>{event.category ?? '—'}</td>
                  <td>
                    <DecisionBadge decision={event.decision} />
                  </td>
                  <td>
                    <Link to={`/audit/events/${encodeURIComponent(event.sourceId)}/${event.seq}`}>#{event.seq}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </section>
  );
}
