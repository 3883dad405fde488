import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, asError, call } from '../api/client';
import { allSites } from '../api/fleet';
import type { components } from '../api/schema';
import type { AuditEvent, AuditQuery } from '../api/types';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useFollow } from '../hooks/useFollow';
import { useQuery } from '../hooks/useQuery';
import { AuditExport } from '../ui/AuditExport';
import { Actor, Badge, DecisionBadge, PageHeader, ProgressBar, Time } from '../ui/bits';
import { Async, ErrorMessage } from '../ui/states';

type Filters = Pick<AuditQuery, 'type' | 'decision' | 'category' | 'sourceId' | 'actor' | 'siteId' | 'from' | 'to'>;
const FILTER_FIELDS: { key: Exclude<keyof Filters, 'siteId' | 'from' | 'to'>; label: string; placeholder: string }[] = [
  { key: 'type', label: 'Type', placeholder: 'policy.decision' },
  { key: 'decision', label: 'Decision', placeholder: 'deny' },
  { key: 'category', label: 'Category', placeholder: 'inspection_images' },
  { key: 'sourceId', label: 'Source', placeholder: 'node id or control-plane' },
  { key: 'actor', label: 'Actor', placeholder: 'user:…' },
];

export function AuditPage() {
  const session = useSignedIn();
  return (
    <>
      <PageHeader title="Audit" />
      <div className="audit-grid">
        <EventList />
        <div className="stack">
          {can.exportAudit(session.role) ? <AuditExport /> : null}
          <Checkpoints />
          {can.verifyAudit(session.role) ? <Verify /> : null}
        </div>
      </div>
    </>
  );
}

/** datetime-local (local time, no zone) to the ISO instant the API filters on. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined);

function EventList() {
  const sites = useQuery(allSites, []);
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Filters>({});
  const [more, setMore] = useState<{ items: AuditEvent[]; cursor: string | null } | undefined>();
  const [moreError, setMoreError] = useState<Error | undefined>();
  const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as Filters;
  const state = useQuery(() => call(api.GET('/v1/audit/events', { params: { query: { ...clean, limit: 25 } } })), [JSON.stringify(clean)], { pollMs: 5_000 });

  function apply(event: FormEvent) {
    event.preventDefault();
    setMore(undefined);
    setFilters({ ...draft, from: toInstant(draft.from ?? ''), to: toInstant(draft.to ?? '') });
  }

  async function loadMore() {
    const cursor = more ? more.cursor : state.data?.nextCursor;
    if (!cursor) return;
    try {
      const page = await call(api.GET('/v1/audit/events', { params: { query: { ...clean, limit: 25, cursor } } }));
      setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.nextCursor });
    } catch (caught) {
      setMoreError(asError(caught));
    }
  }

  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      <form className="filters" onSubmit={apply} aria-label="Filter events">
        {FILTER_FIELDS.map((field) => (
          <label key={field.key}>
            {field.label}
            <input value={draft[field.key] ?? ''} placeholder={field.placeholder} onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value.trim() })} />
          </label>
        ))}
        <label>
          Site
          <select value={draft.siteId ?? ''} onChange={(event) => setDraft({ ...draft, siteId: event.target.value || undefined })}>
            <option value="">All sites</option>
            {(sites.data ?? []).map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" value={draft.from ?? ''} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
        </label>
        <label>
          To
          <input type="datetime-local" value={draft.to ?? ''} onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
        </label>
        <button type="submit" className="button">
          Apply filters
        </button>
      </form>
      <Async state={state} empty={(page) => (page.items.length === 0 ? 'No events match these filters.' : undefined)}>
        {(page) => {
          const items = [...page.items, ...(more?.items ?? [])];
          const cursor = more ? more.cursor : page.nextCursor;
          return (
            <>
              <table data-testid="audit-events">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Type</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Event</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((event) => (
                    <tr key={`${event.sourceId}/${event.seq}`}>
                      <td>
                        <Time value={event.occurredAt} />
                      </td>
                      <td>
                        <code>{event.type}</code>
                        {event.category ? <span className="muted"> · {event.category}</span> : null}
                      </td>
                      <td className="truncate">
                        <Actor actor={event.actor} name={event.actorName} />
                      </td>
                      <td>
                        <DecisionBadge decision={event.decision} />
                      </td>
                      <td>
                        <Link to={`/audit/events/${encodeURIComponent(event.sourceId)}/${event.seq}`} aria-label={`Event ${event.type} #${event.seq} from ${event.sourceId}`}>
                          #{event.seq}
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {cursor ? (
                <button type="button" className="button secondary" onClick={() => void loadMore()}>
                  Load older events
                </button>
              ) : null}
              {moreError ? <ErrorMessage error={moreError} /> : null}
            </>
          );
        }}
      </Async>
    </section>
  );
}

function Checkpoints() {
  const session = useSignedIn();
  const state = useQuery(() => call(api.GET('/v1/audit/checkpoints')), [], { pollMs: 10_000 });
  const [requested, setRequested] = useState<string | undefined>();
  return (
    <section className="card" aria-labelledby="checkpoints-title">
      <h2 id="checkpoints-title">Checkpoints</h2>
      {can.requestCheckpoint(session.role) ? (
        <p>
          <button
            type="button"
            className="button secondary"
            onClick={() => void call(api.POST('/v1/audit/checkpoints')).then((job) => (setRequested(job.id), state.reload()))}
          >
            Checkpoint now
          </button>
          {requested ? <span role="status"> Requested (job {requested.slice(0, 8)}).</span> : null}
        </p>
      ) : null}
      <Async state={state} empty={(list) => (list.items.length === 0 ? 'No signed checkpoint yet.' : undefined)}>
        {(list) => (
          <table data-testid="checkpoints">
            <thead>
              <tr>
                <th scope="col">Tree size</th>
                <th scope="col">Signed</th>
                <th scope="col">Root hash</th>
                <th scope="col">Key</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((checkpoint) => (
                <tr key={checkpoint.treeSize}>
                  <td>{checkpoint.treeSize}</td>
                  <td>
                    <Time value={checkpoint.timestamp} />
                  </td>
                  <td>
                    <code title={checkpoint.rootHash}>{checkpoint.rootHash.slice(0, 12)}…</code>
                  </td>
                  <td>
                    <code>{checkpoint.keyId.slice(0, 10)}</code>
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

type VerificationJob = components['schemas']['JobView'];
type JobProgress = components['schemas']['JobProgressView'];
type Verification = components['schemas']['VerificationView'];
const VERIFY_POLL_MS = 1_000;

const VERIFY_STAGES: Record<string, string> = {
  chains: 'Checking every event against its chain',
  tree: 'Re-hashing the log against the latest checkpoint',
};

/** Where a running verification is: its stage and rows, as the worker last reported them. */
function VerificationProgress({ state, progress }: { state: VerificationJob['state']; progress: JobProgress | null | undefined }) {
  const stage = progress?.stage ? VERIFY_STAGES[progress.stage] : undefined;
  const rows = progress?.done !== undefined && progress.total !== undefined ? `: ${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} events` : '';
  return (
    <div role="status" data-testid="verify-progress">
      <ProgressBar value={progress?.percent ?? 0} max={100} label="Verification progress" />
      <span>{stage ? `${stage}${rows} (${progress!.percent}%)` : state === 'active' ? 'Starting…' : 'Queued, waiting for a worker…'}</span>
    </div>
  );
}

/** Re-verifies the whole log as a worker job (it reads every event: seconds to minutes on a large log) and shows its verdict. */
function Verify() {
  const [job, setJob] = useState<VerificationJob | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const running = job !== undefined && job.state !== 'completed' && job.state !== 'failed';
  const fail = (caught: unknown) => setError(asError(caught));

  useFollow(job, running, (current) => call(api.GET('/v1/audit/verifications/{id}', { params: { path: { id: current.id } } })), setJob, fail, VERIFY_POLL_MS);

  async function start() {
    setError(undefined);
    setJob(undefined);
    try {
      setJob(await call(api.POST('/v1/audit/verifications')));
    } catch (caught) {
      fail(caught);
    }
  }

  const result = job?.state === 'completed' ? (job.result as Verification) : undefined;
  return (
    <section className="card" aria-labelledby="verify-title">
      <h2 id="verify-title">Verify the log</h2>
      <button type="button" className="button secondary" onClick={() => void start()} disabled={running}>
        Verify now
      </button>
      {running ? <VerificationProgress state={job.state} progress={job.progress} /> : null}
      {result ? (
        <p role="status" data-testid="verify-result">
          {result.ok ? <Badge tone="ok">intact</Badge> : <Badge tone="bad">broken</Badge>} {result.ok ? `${result.events ?? 0} events from ${result.sources ?? 0} sources match their hashes and the latest checkpoint.` : `${result.reason ?? ''} (source ${result.sourceId ?? '?'}, seq ${result.seq ?? '?'})`}
        </p>
      ) : null}
      {job?.state === 'failed' ? <ErrorMessage error={new Error(`The verification did not finish: ${job.failedReason ?? 'unknown reason'}`)} /> : null}
      {error ? <ErrorMessage error={error} /> : null}
    </section>
  );
}
