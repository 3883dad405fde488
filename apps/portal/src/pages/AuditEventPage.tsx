import { Link, useParams } from 'react-router';
import { api, call } from '../api/client';
import { useQuery } from '../hooks/useQuery';
import { Actor, Badge, Json, PageHeader, Time } from '../ui/bits';
import { Async } from '../ui/states';

export function AuditEventPage() {
  const { sourceId = '', seq = '0' } = useParams();
  const state = useQuery(() => call(api.GET('/v1/audit/events/{sourceId}/{seq}', { params: { path: { sourceId, seq: Number(seq) } } })), [sourceId, seq]);
  return (
    <>
      <PageHeader title={`Audit event #${seq}`}>
        <Link to="/audit">Back to events</Link>
      </PageHeader>
      <Async state={state}>
        {(event) => (
          <div className="grid-2">
            <section className="card" aria-labelledby="event-title">
              <h2 id="event-title">
                <code>{event.type}</code>
              </h2>
              <dl className="facts">
                <dt>Source</dt>
                <dd>{event.sourceId}</dd>
                <dt>Sequence</dt>
                <dd>{event.seq}</dd>
                <dt>Actor</dt>
                <dd>
                  <Actor actor={event.actor} name={event.actorName} showId />
                </dd>
                <dt>Occurred</dt>
                <dd>
                  <Time value={event.occurredAt} />
                </dd>
                <dt>Received</dt>
                <dd>
                  <Time value={event.receivedAt} />
                </dd>
                <dt>Hash</dt>
                <dd>
                  <code className="wrap">{event.hash}</code>
                </dd>
              </dl>
              <Json value={event.event} label="Event content" />
            </section>
            <section className="card" aria-labelledby="proof-title" data-testid="proof-status">
              <h2 id="proof-title">Integrity</h2>
              <p>
                Hash chain: {event.chainIntact ? <Badge tone="ok">intact</Badge> : <Badge tone="bad">does not match the stored content</Badge>}
              </p>
              {event.inclusion ? (
                <>
                  <p>
                    Inclusion proof: {event.inclusion.verified ? <Badge tone="ok">verified</Badge> : <Badge tone="bad">does not verify</Badge>} against the checkpoint of {event.inclusion.treeSize} events
                  </p>
                  <dl className="facts">
                    <dt>Leaf index</dt>
                    <dd>{event.inclusion.leafIndex}</dd>
                    <dt>Proof length</dt>
                    <dd>{event.inclusion.path.length} hashes</dd>
                    <dt>Checkpoint root</dt>
                    <dd>
                      <code className="wrap">{event.inclusion.checkpoint.rootHash}</code>
                    </dd>
                  </dl>
                </>
              ) : (
                <p>
                  Inclusion proof: <Badge tone="info">pending</Badge> — the event is not in a signed checkpoint yet.
                </p>
              )}
            </section>
          </div>
        )}
      </Async>
    </>
  );
}
