import { useEffect, useState } from 'react';
import { problemOf } from '../api/client';
import { allSites, policyStatus } from '../api/fleet';
import { BASE, heads, latest, publish, save } from '../api/governance';
import type { Job, Problem, SavedPolicy } from '../api/types';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { PageHeader, Time } from '../ui/bits';
import { DiffTable } from '../ui/DiffTable';
import { Propagation } from '../ui/Propagation';
import { Simulator } from '../ui/Simulator';
import { Async, ProblemDetails } from '../ui/states';
import { VersionHistory } from '../ui/VersionHistory';

const NEW_OVERLAY_TEMPLATE = (country: string) => JSON.stringify({ apiVersion: 'meridian.dev/v1', kind: 'CountryOverlay', country, categories: {} }, null, 2);

export function GovernancePage() {
  const session = useSignedIn();
  const [scope, setScope] = useState(BASE);
  const [newCountry, setNewCountry] = useState('');
  const headsState = useQuery(heads, []);
  const scopes = headsState.data?.items.map((h) => h.scope) ?? [];
  const allScopes = scopes.includes(scope) ? scopes : [...scopes, scope];

  return (
    <>
      <PageHeader title="Governance" />
      <div className="governance">
        <nav className="card scope-list" aria-label="Policy scopes">
          <h2>Policies</h2>
          <Async state={headsState}>
            {() => (
              <ul>
                {allScopes.map((s) => {
                  const head = headsState.data?.items.find((h) => h.scope === s);
                  return (
                    <li key={s}>
                      <button type="button" className={s === scope ? 'scope active' : 'scope'} aria-current={s === scope ? 'true' : undefined} onClick={() => setScope(s)}>
                        {s === BASE ? 'Base policy' : `Overlay ${s}`} <span className="muted">{head ? `v${head.version}` : 'new'}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </Async>
          {can.editPolicy(session.role) ? (
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                if (/^[A-Z]{2}$/.test(newCountry)) setScope(newCountry);
              }}
            >
              <label>
                New country overlay
                <input value={newCountry} maxLength={2} pattern="[A-Z]{2}" placeholder="e.g. BR" onChange={(event) => setNewCountry(event.target.value.toUpperCase())} />
              </label>
              <button type="submit" className="button secondary">
                Open
              </button>
            </form>
          ) : null}
        </nav>
        <div className="governance-main">
          <PolicyEditor key={scope} scope={scope} onSaved={headsState.reload} />
          {can.simulate(session.role) ? <Simulator /> : null}
          <VersionHistory key={`${scope}@${headsState.data?.items.find((h) => h.scope === scope)?.version ?? 0}`} scope={scope} />
        </div>
      </div>
    </>
  );
}

interface Published {
  job: Job;
  before: Record<string, number | null>;
}

function PolicyEditor({ scope, onSaved }: { scope: string; onSaved(): void }) {
  const session = useSignedIn();
  const current = useQuery(() => latest(scope), [scope]);
  const [text, setText] = useState<string | undefined>();
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>();
  const [saved, setSaved] = useState<SavedPolicy | undefined>();
  const [busy, setBusy] = useState(false);
  const [published, setPublished] = useState<Published | undefined>();
  const [publishError, setPublishError] = useState<string | undefined>();

  // Once the latest version is known: its document, or a template for a scope without one.
  useEffect(() => {
    if (current.loading || current.error) return;
    setText(current.data ? JSON.stringify(current.data.document, null, 2) : scope === BASE ? '' : NEW_OVERLAY_TEMPLATE(scope));
  }, [current.data, current.loading, current.error, scope]);

  const editable = can.editPolicy(session.role);
  const errorsId = `policy-errors-${scope}`;

  async function onSave() {
    setBusy(true);
    setProblem(undefined);
    setSaved(undefined);
    setPublished(undefined);
    try {
      const result = await save(scope, text ?? '', comment || undefined);
      setSaved(result);
      setComment('');
      current.reload();
      onSaved();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  async function onPublish() {
    setBusy(true);
    setPublishError(undefined);
    try {
      const sites = (await allSites()).filter((s) => scope === BASE || s.country === scope);
      const before = Object.fromEntries(await Promise.all(sites.map(async (s) => [s.id, (await policyStatus(s.id)).latestVersion] as const)));
      setPublished({ job: await publish(scope), before });
    } catch (error) {
      setPublishError(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="editor-title">
      <h2 id="editor-title">{scope === BASE ? 'Base policy' : `Country overlay ${scope}`}</h2>
      <Async state={{ ...current, data: text === undefined ? undefined : text }}>
        {() => (
          <>
            <p className="muted">
              {current.data ? (
                <>
                  Version {current.data.version}, saved <Time value={current.data.createdAt} />
                  {current.data.comment ? ` — “${current.data.comment}”` : ''}
                </>
              ) : (
                'No version saved yet.'
              )}
            </p>
            <label className="editor-label" htmlFor={`policy-${scope}`}>
              Policy document (JSON or YAML)
            </label>
            <textarea
              id={`policy-${scope}`}
              className="editor"
              spellCheck={false}
              rows={18}
              value={text}
              readOnly={!editable}
              aria-invalid={problem?.errors?.length ? true : undefined}
              aria-describedby={problem ? errorsId : undefined}
              onChange={(event) => setText(event.target.value)}
            />
            {problem ? <ProblemDetails problem={problem} id={errorsId} testId="policy-errors" /> : null}
            {editable ? (
              <div className="form-row">
                <label>
                  Comment
                  <input value={comment} maxLength={500} onChange={(event) => setComment(event.target.value)} placeholder="Why this change" />
                </label>
                <button type="button" className="button" disabled={busy || !text?.trim()} onClick={() => void onSave()}>
                  Save version
                </button>
              </div>
            ) : null}
            {saved ? (
              <div className="saved" data-testid="saved-version">
                <p role="status">
                  Saved version {saved.version}. Review the changes, then publish to push signed bundles to the {scope === BASE ? 'sites in every country' : `sites in ${scope}`}.
                </p>
                {saved.warnings.length ? (
                  <ul className="warnings" aria-label="Warnings">
                    {saved.warnings.map((w) => (
                      <li key={`${w.path}:${w.message}`}>
                        <code>{w.path}</code> {w.message}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {saved.version > 1 ? <DiffTable scope={scope} from={saved.version - 1} to={saved.version} /> : <p>First version of this scope: everything in it is new.</p>}
                {can.publishPolicy(session.role) ? (
                  <button type="button" className="button" disabled={busy || published !== undefined} onClick={() => void onPublish()}>
                    Publish {scope === BASE ? 'to all sites' : `to ${scope}`}
                  </button>
                ) : (
                  <p className="muted">A vendor admin publishes saved versions.</p>
                )}
                {publishError ? (
                  <p className="field-error" role="alert">
                    {publishError}
                  </p>
                ) : null}
              </div>
            ) : null}
            {published ? <Propagation jobId={published.job.id} siteIds={Object.keys(published.before)} before={published.before} canFollowJob={can.followJobs(session.role)} /> : null}
          </>
        )}
      </Async>
    </section>
  );
}
