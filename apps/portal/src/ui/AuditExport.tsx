import { useEffect, useState } from 'react';
import { ApiError, api, call } from '../api/client';
import type { Problem } from '../api/types';
import type { components } from '../api/schema';
import { ProgressBar } from './bits';
import { ErrorMessage } from './states';

type ExportJob = components['schemas']['AuditExportView'];

interface Ready {
  url: string;
  name: string;
  /** Of the file as downloaded (compressed). */
  bytes: number;
  /** Of the uncompressed bundle. */
  sha256: string;
}

const POLL_MS = 1_000;

/**
 * Asks the worker for an auditor's bundle (every event, checkpoint and key, as gzip-compressed JSON
 * Lines), follows its progress, then offers the file; verify it offline with `meridian audit verify`.
 */
export function AuditExport() {
  const [job, setJob] = useState<ExportJob | undefined>();
  const [ready, setReady] = useState<Ready | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const running = job !== undefined && (job.status === 'queued' || job.status === 'running');
  useEffect(() => () => ready && URL.revokeObjectURL(ready.url), [ready]);

  useEffect(() => {
    if (!job || !running) return;
    const timer = setTimeout(() => {
      call(api.GET('/v1/audit/exports/{id}', { params: { path: { id: job.id } } }))
        .then(async (next) => {
          setJob(next);
          if (next.status === 'failed') setError(new Error(`The export failed: ${next.error ?? 'unknown reason'}`));
          if (next.status === 'completed') setReady(await download(next));
        })
        .catch((caught: unknown) => setError(caught instanceof Error ? caught : new Error(String(caught))));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job, running]);

  async function start() {
    setError(undefined);
    setReady(undefined);
    try {
      setJob(await call(api.POST('/v1/audit/exports')));
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  }

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="muted">
        A self-contained bundle: every event up to the latest signed checkpoint, every signed checkpoint, and the signing keys, one per line
        (JSON Lines), gzip-compressed (<code>.jsonl.gz</code>). Verify it offline with <code>meridian audit verify</code>, which reads it as it is,
        compressed.
      </p>
      <button type="button" className="button" onClick={() => void start()} disabled={running}>
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
          <a className="button secondary" href={ready.url} download={ready.name} data-testid="export-download">
            Download {ready.name} ({formatBytes(ready.bytes)})
          </a>{' '}
          <span className="muted">
            sha256 of the uncompressed file <code>{ready.sha256}</code>
          </span>
        </p>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
    </section>
  );
}

async function download(job: ExportJob): Promise<Ready> {
  const { data, error, response } = await api.GET('/v1/audit/exports/{id}/download', { params: { path: { id: job.id } }, parseAs: 'blob' });
  if (!response.ok || !data) throw new ApiError(response.status, (error ?? undefined) as Problem | undefined);
  return { url: URL.createObjectURL(data), name: filenameOf(response) ?? `meridian-audit-${job.id}.jsonl.gz`, bytes: data.size, sha256: job.sha256 ?? '' };
}

/** The name the server gives the file: meridian-audit-<id>.jsonl.gz (an export made before v3: .json). */
function filenameOf(response: Response): string | undefined {
  return /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
