import { useState, type FormEvent } from 'react';
import { problemOf } from '../api/client';
import { allSites } from '../api/fleet';
import { startRollout } from '../api/models';
import type { Problem, RolloutProgress } from '../api/types';
import { useQuery } from '../hooks/useQuery';
import { ProblemDetails } from './states';

interface Form {
  countries: string[];
  canary: number;
  batchSize: number;
  pauseSeconds: number;
  observeSeconds: number;
  minRequests: number;
  maxErrorRate: number;
}

/** Plans and starts a rollout of one published version: which countries, canary, batches and health gate. */
export function StartRollout({ modelId, version, onStarted, onCancel }: { modelId: string; version: string; onStarted(rollout: RolloutProgress): void; onCancel(): void }) {
  const sites = useQuery(allSites, []);
  const countries = [...new Set((sites.data ?? []).map((s) => s.country))].sort();
  const [form, setForm] = useState<Form>({ countries: [], canary: 1, batchSize: 50, pauseSeconds: 60, observeSeconds: 30, minRequests: 1, maxErrorRate: 0.05 });
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);
  const number = (key: keyof Form) => ({
    value: String(form[key]),
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: Number(event.target.value) }),
    type: 'number',
    required: true,
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const rollout = await startRollout({
        modelId,
        version,
        selector: form.countries.length ? { countries: form.countries } : {},
        strategy: {
          canary: { count: form.canary },
          batchSize: form.batchSize,
          pauseSeconds: form.pauseSeconds,
          gate: { minActivationRatio: 1, maxErrorRate: form.maxErrorRate, minRequests: form.minRequests, observeSeconds: form.observeSeconds },
        },
      });
      onStarted(rollout);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="rollout-form" onSubmit={(event) => void submit(event)} aria-label={`Roll out ${version}`}>
      <fieldset>
        <legend>Countries (none selected: every node)</legend>
        {countries.map((country) => (
          <label key={country} className="checkbox">
            <input
              type="checkbox"
              checked={form.countries.includes(country)}
              onChange={(event) => setForm({ ...form, countries: event.target.checked ? [...form.countries, country] : form.countries.filter((c) => c !== country) })}
            />
            {country}
          </label>
        ))}
      </fieldset>
      <div className="simulator">
        <label>
          Canary nodes
          <input {...number('canary')} min={1} />
        </label>
        <label>
          Batch size
          <input {...number('batchSize')} min={1} />
        </label>
        <label>
          Pause between batches (s)
          <input {...number('pauseSeconds')} min={0} />
        </label>
        <label>
          Observe before judging (s)
          <input {...number('observeSeconds')} min={0} />
        </label>
        <label>
          Minimum requests to judge errors
          <input {...number('minRequests')} min={0} />
        </label>
        <label>
          Highest error rate
          <input {...number('maxErrorRate')} min={0} max={1} step={0.01} />
        </label>
      </div>
      {problem ? <ProblemDetails problem={problem} /> : null}
      <div className="form-row">
        <button type="submit" className="button" disabled={busy}>
          Start rollout
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
