import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/client';
import type { Problem } from '../api/types';
import { ProgressBar } from './bits';
import { ErrorMessage } from './states';

interface Ready {
  url: string;
  name: string;
  bytes: number;
}

/** Downloads the signed export (checkpoint, keys, events) with progress; verify it offline with meridian-verify. */
export function AuditExport() {
  const [progress, setProgress] = useState<{ received: number; total: number } | undefined>();
  const [ready, setReady] = useState<Ready | undefined>();
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => () => ready && URL.revokeObjectURL(ready.url), [ready]);

  async function start() {
    setError(undefined);
    setReady(undefined);
    setProgress({ received: 0, total: 0 });
    try {
      const { data, error: problem, response } = await api.GET('/v1/audit/export', { parseAs: 'stream' });
      if (!response.ok || !data) {
        const body = problem ?? (await response.json().catch(() => undefined));
        throw new ApiError(response.status, body as Problem | undefined);
      }
      const total = Number(response.headers.get('content-length') ?? 0);
      const reader = data.getReader();
      const chunks: Uint8Array[] = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        setProgress({ received, total });
      }
      const name = `meridian-audit-export-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      setReady({ url: URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'application/json' })), name, bytes: received });
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setProgress(undefined);
    }
  }

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="muted">Every event up to the latest signed checkpoint, with the signing keys. Verify it offline with <code>meridian-verify</code>.</p>
      <button type="button" className="button" onClick={() => void start()} disabled={progress !== undefined}>
        Prepare export
      </button>
      {progress ? (
        <div role="status" aria-live="polite">
          <ProgressBar value={progress.received} max={progress.total || Math.max(progress.received, 1)} label="Export download" />
          <span>{formatBytes(progress.received)}{progress.total ? ` of ${formatBytes(progress.total)}` : ''}</span>
        </div>
      ) : null}
      {ready ? (
        <p role="status">
          <a className="button secondary" href={ready.url} download={ready.name} data-testid="export-download">
            Download {ready.name} ({formatBytes(ready.bytes)})
          </a>
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
