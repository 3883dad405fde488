import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { useAction } from '../hooks/useAction';
import { allSites } from '../api/fleet';
import type { Decision, SimulateRequest } from '../api/types';
import { useQuery } from '../hooks/useQuery';
import { DecisionBadge } from './bits';
import { ErrorMessage } from './states';

const ACTIONS: SimulateRequest['action'][] = ['infer', 'store', 'egress'];

/** Asks the saved (not necessarily published) policies what they decide for a request at a site. */
export function Simulator() {
  const sites = useQuery(allSites, []);
  const [form, setForm] = useState<SimulateRequest>({ siteId: '', category: 'inspection_images', action: 'egress', destination: 'vendor_cloud:eu' });
  const [result, setResult] = useState<Decision | undefined>();
  const { busy, error, run } = useAction();
  const siteId = form.siteId || sites.data?.[0]?.id || '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(undefined);
    await run(async () => setResult(await call(api.POST('/v1/policies/simulate', { body: { ...form, siteId, ...(form.destination ? {} : { destination: undefined }) } }))));
  }

  return (
    <section className="card" aria-labelledby="simulator-title">
      <h2 id="simulator-title">Simulator</h2>
      <form className="simulator" onSubmit={(event) => void submit(event)}>
        <label>
          Site
          <select value={siteId} onChange={(event) => setForm({ ...form, siteId: event.target.value })}>
            {(sites.data ?? []).map((site) => (
              <option key={site.id} value={site.id}>
                {site.name} ({site.country})
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <input value={form.category} required onChange={(event) => setForm({ ...form, category: event.target.value })} />
        </label>
        <label>
          Action
          <select value={form.action} onChange={(event) => setForm({ ...form, action: event.target.value as SimulateRequest['action'] })}>
            {ACTIONS.map((action) => (
              <option key={action}>{action}</option>
            ))}
          </select>
        </label>
        <label>
          Destination
          <input value={form.destination ?? ''} onChange={(event) => setForm({ ...form, destination: event.target.value })} placeholder="vendor_cloud:eu" />
        </label>
        <button type="submit" className="button" disabled={!siteId || busy}>
          Simulate
        </button>
      </form>
      {error ? <ErrorMessage error={error} /> : null}
      {result ? (
        <div className="decision" role="status" data-testid="simulation-result">
          <DecisionBadge decision={result.decision} /> by <code>{result.layer}</code> rule <code>{result.ruleId}</code>
          <p>{result.reason}</p>
        </div>
      ) : null}
    </section>
  );
}
