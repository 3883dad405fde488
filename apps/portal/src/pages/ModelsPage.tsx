import { useState } from 'react';
import { api, call } from '../api/client';
import { getModel, listModels, listRollouts } from '../api/models';
import type { ModelVersion, RolloutProgress } from '../api/types';
import { can } from '../auth/roles';
import { useSignedIn } from '../auth/session';
import { useQuery } from '../hooks/useQuery';
import { Badge, PageHeader, Time } from '../ui/bits';
import { ConfirmedAction } from '../ui/ConfirmedAction';
import { ModelCard } from '../ui/ModelCard';
import { RolloutPanel } from '../ui/RolloutPanel';
import { StartRollout } from '../ui/StartRollout';
import { Async } from '../ui/states';

export function ModelsPage() {
  const models = useQuery(listModels, [], { pollMs: 15_000 });
  const rollouts = useQuery(listRollouts, [], { pollMs: 3_000 });
  const [selected, setSelected] = useState<string | undefined>();
  const [started, setStarted] = useState<RolloutProgress | undefined>();
  const modelId = selected ?? models.data?.items[0]?.id;
  const names = new Map((models.data?.items ?? []).map((m) => [m.id, m.name]));

  return (
    <>
      <PageHeader title="Models & rollouts" />
      <div className="governance">
        <nav className="card scope-list" aria-label="Models">
          <h2>Models</h2>
          <Async state={models} empty={(d) => (d.items.length === 0 ? 'No models registered yet.' : undefined)}>
            {(d) => (
              <ul>
                {d.items.map((m) => (
                  <li key={m.id}>
                    <button type="button" className={m.id === modelId ? 'scope active' : 'scope'} aria-current={m.id === modelId ? 'true' : undefined} onClick={() => setSelected(m.id)}>
                      {m.name} <span className="muted">{m.latestPublished ?? 'draft'}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </Async>
        </nav>
        <div className="governance-main">
          {modelId ? (
            <ModelDetail
              key={modelId}
              modelId={modelId}
              onPublished={models.reload}
              onStarted={(rollout) => {
                setStarted(rollout);
                rollouts.reload();
              }}
            />
          ) : null}
          <section className="card" aria-labelledby="rollouts-title">
            <h2 id="rollouts-title">Rollouts</h2>
            <Async state={rollouts} empty={(d) => (d.items.length === 0 && !started ? 'No rollouts yet. Start one from a published version.' : undefined)}>
              {(d) => (
                <div className="stack">
                  {[...(started && !d.items.some((r) => r.id === started.id) ? [started] : []), ...d.items].map((rollout) => (
                    <RolloutPanel key={rollout.id} rollout={rollout} modelName={names.get(rollout.modelId) ?? rollout.modelId} onChange={rollouts.reload} />
                  ))}
                </div>
              )}
            </Async>
          </section>
        </div>
      </div>
    </>
  );
}

function ModelDetail({ modelId, onPublished, onStarted }: { modelId: string; onPublished(): void; onStarted(rollout: RolloutProgress): void }) {
  const session = useSignedIn();
  const state = useQuery(() => getModel(modelId), [modelId]);
  const [rollingOut, setRollingOut] = useState<ModelVersion | undefined>();
  return (
    <section className="card" aria-labelledby="model-title">
      <Async state={state}>
        {(model) => (
          <>
            <h2 id="model-title">{model.name}</h2>
            {model.description ? <p>{model.description}</p> : null}
            {model.versions.length === 0 ? <p className="state state-empty">No versions yet.</p> : null}
            {model.versions.map((version) => (
              <article key={version.id} className="version" aria-labelledby={`version-${version.id}`} data-testid={`version-${version.version}`}>
                <h3 id={`version-${version.id}`}>
                  {model.name} {version.version} <Badge tone={version.status === 'published' ? 'ok' : 'info'}>{version.status}</Badge>
                </h3>
                <p className="muted">
                  {version.artifact ? `${version.artifact.size} bytes, sha256 ${version.artifact.sha256.slice(0, 12)}…` : 'no artifact uploaded'}
                  {version.publishedAt ? (
                    <>
                      {' '}
                      · published <Time value={version.publishedAt} /> · key <code>{version.keyId?.slice(0, 10)}</code>
                    </>
                  ) : null}
                </p>
                <ModelCard card={version.card} label={`Model card of ${model.name} ${version.version}`} />
                {version.status === 'draft' && can.publishModels(session.role) ? (
                  version.artifact ? (
                    <ConfirmedAction
                      label={`Publish ${version.version}`}
                      title={`Publish ${model.name} ${version.version}?`}
                      confirmLabel="Publish"
                      perform={() => call(api.POST('/v1/models/{id}/versions/{version}/publish', { params: { path: { id: model.id, version: version.version } } }))}
                      onDone={() => {
                        state.reload();
                        onPublished();
                      }}
                    >
                      <p>
                        The control plane signs its manifest (this card and the artifact's sha256 {version.artifact.sha256.slice(0, 12)}…) with the tenant's key. From then on the version cannot change, and it can be rolled out; agents refuse an artifact whose bytes differ.
                      </p>
                    </ConfirmedAction>
                  ) : (
                    <p className="muted">Upload its artifact before publishing it (<code>meridian models push</code>, or <code>PUT …/artifact</code>).</p>
                  )
                ) : null}
                {version.status === 'published' && can.manageRollouts(session.role) ? (
                  rollingOut?.id === version.id ? (
                    <StartRollout
                      modelId={model.id}
                      version={version.version}
                      onCancel={() => setRollingOut(undefined)}
                      onStarted={(rollout) => {
                        setRollingOut(undefined);
                        onStarted(rollout);
                      }}
                    />
                  ) : (
                    <button type="button" className="button" onClick={() => setRollingOut(version)}>
                      Roll out {version.version}
                    </button>
                  )
                ) : null}
              </article>
            ))}
          </>
        )}
      </Async>
    </section>
  );
}
