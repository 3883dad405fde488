import { useState } from 'react';
import { api, call } from '../api/client';
import { useAction } from '../hooks/useAction';
import { useFollow } from '../hooks/useFollow';
import type { components } from '../api/schema';
import { ProgressBar } from './bits';
import { ErrorMessage } from './states';

type ExportJob = components['schemas']['AuditExportView'];

const POLL_MS = 1_000;

/**
 * Asks the worker for an auditor's bundle (every event, checkpoint and key, as gzip-compressed JSON
 * Lines), follows its progress, then offers the file; verify it offline with `meridian audit verify`.
 */
export function AuditExport() {
  const [job, setJob] = useState<ExportJob | undefined>();
  const { busy, error, run, setError } = useAction();
  const running = job !== undefined && (job.status === 'queued' || job.status === 'running');
  const ready = job?.status === 'completed' ? job : undefined;

  useFollow(
    job,
    running,
    (current) => call(api.GET('/v1/audit/exports/{id}', { params: { path: { id: current.id } } })),
    (next) => {
      setJob(next);
      if (next.status === 'failed') setError(new Error(`The export failed: ${next.error ?? 'unknown reason'}`));
    },
    setError,
    POLL_MS,
  );

  async function start() {
    setJob(undefined);
    await run(async () => setJob(await call(api.POST('/v1/audit/exports'))));
  }

  /**
   * Hands the file to the browser's own download (saved to disk as it streams, whatever its size)
   * through a single-use link that needs no Authorization header, instead of fetching it into memory.
   */
  async function save(exported: ExportJob) {
    await run(async () => {
      const link = await call(api.POST('/v1/audit/exports/{id}/download-link', { params: { path: { id: exported.id } } }));
      const anchor = document.createElement('a');
      anchor.href = link.url;
      anchor.download = '';
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
    });
  }

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="muted">
        A self-contained bundle: every event up to the latest signed checkpoint, every signed checkpoint, and the signing keys, one per line
        (JSON Lines), gzip-compressed (<code>.jsonl.gz</code>). Verify it offline with <code>meridian audit verify</code>, which reads it as it is,
        compressed.
      </p>
      <button type="button" className="button" onClick={() => void start()} disabled={running || busy}>
        Prepare export
      </button>
      {running ? (
        <div role="status" aria-live="polite">
          <ProgressBar value={job.progress} max={100} label="Export progress" />
          <span>{job.status === 'queued' ? 'Queued' : `Building: ${job.progress}%`}</span>
        </div>
      ) : null}
      {ready ? (
        <p role="status">
          <button type="button" className="button secondary" onClick={() => void save(ready)} disabled={busy} data-testid="export-download">
            Download meridian-audit-{ready.id}.jsonl.gz{ready.sizeBytes !== null ? ` (${formatBytes(ready.sizeBytes)} uncompressed)` : ''}
          </button>{' '}
          <span className="muted">
            sha256 of the uncompressed file <code>{ready.sha256}</code>
          </span>
        </p>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
    </section>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
