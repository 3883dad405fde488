import { status as GrpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ArtifactChunk } from '@meridian/protocol';
import { Backoff, sleep } from '../backoff';
import { isServiceError } from '../control-plane-client';
import type { ModelStore } from './model-store';

export interface ArtifactSource {
  fetchArtifact(modelId: string, version: string, offset: number): ClientReadableStream<ArtifactChunk>;
}

/** The download cannot succeed by trying again (the artifact is not offered, or not what the manifest says). */
export class DownloadRefused extends Error {}
export class DownloadAborted extends Error {}

export interface DownloadOptions {
  backoff: { initialMs: number; maxMs: number };
  checkpointBytes?: number;
  /** A stream that delivers nothing for this long is cancelled and resumed. */
  idleTimeoutMs?: number;
  /** Called with the offset every (re)started FetchArtifact asks from. */
  onAttempt?: (offset: number) => void;
}

const PERMANENT = new Set<number>([GrpcStatus.NOT_FOUND, GrpcStatus.INVALID_ARGUMENT, GrpcStatus.FAILED_PRECONDITION, GrpcStatus.OUT_OF_RANGE]);

/**
 * Fetches an artifact into the store's partial file, resuming from the durable length after any
 * broken stream or restart, until it has exactly `size` bytes. Transient failures are retried with
 * backoff until `signal` aborts; an artifact the control plane refuses, or whose chunks disagree with
 * the manifest's size, is refused. Returns the offset the first attempt resumed from.
 */
export async function downloadArtifact(
  source: ArtifactSource,
  store: ModelStore,
  target: { modelId: string; version: string; size: number },
  signal: AbortSignal,
  logger: Logger,
  options: DownloadOptions,
): Promise<{ resumedFrom: number }> {
  const backoff = new Backoff(options.backoff.initialMs, options.backoff.maxMs);
  let resumedFrom: number | undefined;
  for (;;) {
    if (signal.aborted) throw new DownloadAborted('download superseded');
    const partial = await store.openPartial(target.modelId, target.version, { checkpointBytes: options.checkpointBytes });
    resumedFrom ??= partial.offset;
    if (partial.offset > target.size) {
      await partial.close();
      await store.discardPartial(target.modelId, target.version);
      continue;
    }
    if (partial.offset === target.size) {
      await partial.close();
      return { resumedFrom };
    }
    options.onAttempt?.(partial.offset);
    const startedAt = partial.offset;
    let failure: unknown;
    try {
      await receive(source.fetchArtifact(target.modelId, target.version, partial.offset), partial, target.size, signal, options.idleTimeoutMs ?? 30_000);
    } catch (error) {
      failure = error;
    } finally {
      await partial.close();
    }
    if (failure instanceof DownloadRefused) {
      await store.discardPartial(target.modelId, target.version);
      throw failure;
    }
    if (isServiceError(failure) && PERMANENT.has(failure.code)) {
      throw new DownloadRefused(`the control plane refused the artifact: ${GrpcStatus[failure.code]} ${failure.details}`);
    }
    if (signal.aborted) throw new DownloadAborted('download superseded');
    if (!failure && partial.offset === target.size) return { resumedFrom };
    if (partial.offset > startedAt) backoff.reset();
    const reason = failure ? (isServiceError(failure) ? `${GrpcStatus[failure.code]} ${failure.details}` : String(failure)) : 'stream ended early';
    logger.warn({ modelId: target.modelId, version: target.version, received: partial.offset, size: target.size, reason }, 'artifact download interrupted; resuming');
    await sleep(backoff.next(), signal);
  }
}

function receive(stream: ClientReadableStream<ArtifactChunk>, partial: { offset: number; append(d: Uint8Array): Promise<void> }, size: number, signal: AbortSignal, idleTimeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let failed = false;
    let writing = Promise.resolve();
    let idle: NodeJS.Timeout | undefined;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      if (error) stream.cancel();
      // Whatever was already handed to the file is written before the caller checkpoints.
      void writing.then(() => (error ? reject(error) : resolve()), reject);
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(new Error(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    };
    const onAbort = () => {
      failed = true;
      finish(new DownloadAborted('download superseded'));
    };
    signal.addEventListener('abort', onAbort);
    armIdle();
    stream.on('data', (chunk: ArtifactChunk) => {
      armIdle();
      stream.pause();
      writing = writing
        .then(async () => {
          // Chunks received before a broken stream are good and still written; after a bad chunk or an abort, none is.
          if (failed) return;
          if (chunk.totalSize !== size) throw new DownloadRefused(`the control plane offers ${chunk.totalSize} bytes, the manifest says ${size}`);
          if (chunk.offset !== partial.offset) throw new Error(`chunk at offset ${chunk.offset}, expected ${partial.offset}`);
          if (partial.offset + chunk.data.length > size) throw new DownloadRefused(`the control plane sent more than the manifest's ${size} bytes`);
          await partial.append(chunk.data);
          stream.resume();
        })
        .catch((error: unknown) => {
          failed = true;
          finish(error);
        });
    });
    stream.on('error', (error) => finish(error));
    stream.on('end', () => finish());
  });
}

