import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { compareSemver, verifyManifest, type ModelCard, type ModelManifest } from '@meridian/models';
import type { DesiredModel, DesiredState, ModelStateReport, RunningModel } from '@meridian/protocol';
import { Backoff, sleep } from '../backoff';
import { isServiceError } from '../control-plane-client';
import type { AuditRecorder } from '../policy-engine';
import type { AgentState } from '../state';
import { DownloadAborted, DownloadRefused, downloadArtifact, type ArtifactSource } from './artifact-download';
import { ArtifactMismatch, checkModelRef, type ActiveModel, type ModelStateRecord, type ModelStore, type StoredManifest } from './model-store';
import { LoadedModel } from './runtime';

/** The journal as the model manager uses it: it also asks, after a crash, whether an activation's record made it. */
export interface ActivationJournal extends AuditRecorder {
  /** Whether exactly this event (the same `at`, type, category and data) is in the journal. */
  journaled(event: { at: string; type: string; category?: string; data?: Record<string, unknown> }): Promise<boolean>;
}

export interface ModelTransport extends ArtifactSource {
  reportModelState(report: ModelStateReport): Promise<void>;
}

export interface ModelManagerOptions {
  backoff: { initialMs: number; maxMs: number };
  checkpointBytes?: number;
  idleTimeoutMs?: number;
}

export interface ServingModel {
  modelId: string;
  name: string;
  version: string;
  card: ModelCard;
  artifactSha256: string;
  model: LoadedModel;
}

type Step = 'downloading' | 'verifying' | 'activating' | 'active' | 'failed';

interface Worker {
  dirty: boolean;
  done: Promise<void>;
}

/**
 * Makes the node run what the control plane's desired state says: per model id, one version.
 * For each model it verifies the signed manifest with the tenant keys the node trusts for policy
 * bundles, downloads the artifact (resuming), checks its sha256 and size, loads it in ONNX Runtime
 * with a warm-up inference, and only then switches the active pointer atomically. Every step is
 * reported over ReportModelState (in order, retried) and persisted; a failure leaves the previous
 * version serving. Models are reconciled independently, so one slow download blocks no other.
 */
export class ModelManager {
  private readonly serving = new Map<string, ServingModel>();
  private active: Record<string, ActiveModel> = {};
  private states: Record<string, ModelStateRecord> = {};
  /** Undefined until the first desired state arrives: nothing is deactivated before that. */
  private targets: Map<string, DesiredModel> | undefined;
  private readonly workers = new Map<string, Worker>();
  private readonly downloads = new Map<string, { version: string; controller: AbortController }>();
  private readonly stopController = new AbortController();
  private readonly reports: ReportQueue;
  private persisting: Promise<void> = Promise.resolve();
  private trustEpoch = 0;
  private readonly failedAtEpoch = new Map<string, number>();

  constructor(
    private readonly store: ModelStore,
    private readonly transport: ModelTransport,
    private readonly trust: { tenantId: string; keys: () => ReadonlyMap<string, Uint8Array> },
    private readonly audit: ActivationJournal,
    private readonly state: AgentState,
    private readonly logger: Logger,
    private readonly options: ModelManagerOptions,
  ) {
    this.reports = new ReportQueue(transport, logger, options.backoff, this.stopController.signal, (report) => this.markReported(report));
  }

  /** Loads the active versions from disk (re-verified), so the node serves offline right after a restart. */
  async start(): Promise<void> {
    await this.store.init();
    // Unreadable bookkeeping (disk damage; writes are atomic) costs a download, never the agent:
    // it starts with no model and the next desired state rebuilds both files.
    this.active = await this.store.readActive().catch(async (error: unknown) => {
      this.logger.error({ err: String(error) }, 'active model pointers unreadable; starting without models');
      await this.record('model.activation_failed', { stage: 'startup', reason: String(error) });
      return {};
    });
    this.states = await this.store.readStates().catch((error: unknown) => {
      this.logger.error({ err: String(error) }, 'model states unreadable; starting afresh');
      return {};
    });
    for (const [modelId, pointer] of Object.entries(this.active)) {
      // An activation the last run switched to but may not have journaled: recorded first, whatever follows.
      await this.journalPending(modelId, { afterCrash: true });
      const loaded = await this.loadFromCache(modelId, pointer.version).catch((error: unknown) => ({ error: (error as Error).message }));
      if ('model' in loaded) {
        this.serving.set(modelId, loaded);
        this.logger.info({ modelId, name: pointer.name, version: pointer.version }, 'model loaded from disk');
        continue;
      }
      this.logger.error({ modelId, version: pointer.version, reason: loaded.error }, 'active model version cannot be loaded from disk');
      await this.record('model.activation_failed', { modelId, name: pointer.name, version: pointer.version, stage: 'startup', reason: loaded.error });
      const fallback = pointer.previous ? await this.loadFromCache(modelId, pointer.previous).catch(() => undefined) : undefined;
      if (fallback) {
        this.serving.set(modelId, fallback);
        this.active[modelId] = { name: pointer.name, version: fallback.version, previous: null, activatedAt: new Date().toISOString() };
        await this.record('model.rolled_back', { modelId, name: pointer.name, from: pointer.version, to: fallback.version, reason: 'the active version could not be loaded at startup' });
      } else {
        delete this.active[modelId];
      }
      await this.persistActive();
    }
    for (const [modelId, record] of Object.entries(this.states)) {
      if (!record.reported) this.reports.enqueue({ modelId, version: record.version, state: record.state, detail: record.detail, rolloutId: record.rolloutId });
    }
    this.publish();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    for (const download of this.downloads.values()) download.controller.abort();
    await Promise.allSettled([...this.workers.values()].map((w) => w.done));
    await this.reports.idle();
    for (const model of this.serving.values()) await model.model.release();
    this.serving.clear();
  }

  /** The control plane's desired state: one version per model id; absent models are deactivated. */
  applyDesired(desired: DesiredState): void {
    const next = new Map<string, DesiredModel>();
    for (const model of desired.models) next.set(model.modelId, model);
    const touched = new Set([...next.keys(), ...Object.keys(this.active), ...Object.keys(this.states), ...(this.targets?.keys() ?? [])]);
    this.targets = next;
    for (const [modelId, download] of this.downloads) {
      if (next.get(modelId)?.version !== download.version) download.controller.abort();
    }
    for (const modelId of touched) this.schedule(modelId);
  }

  /** New signing keys are trusted: manifests refused for an unknown key get another chance. */
  trustChanged(): void {
    this.trustEpoch += 1;
    for (const modelId of this.targets?.keys() ?? []) this.schedule(modelId);
  }

  /** A serving model by name (or model id). */
  find(nameOrId: string): ServingModel | undefined {
    return this.serving.get(nameOrId) ?? [...this.serving.values()].find((m) => m.name === nameOrId);
  }

  list(): { modelId: string; name: string; version: string; previous: string | null; task: string; inputCategory: string; inputs: unknown; outputs: unknown; state: ModelStateRecord | null }[] {
    return [...this.serving.values()].map((m) => ({
      modelId: m.modelId,
      name: m.name,
      version: m.version,
      previous: this.active[m.modelId]?.previous ?? null,
      task: m.card.task,
      inputCategory: m.card.inputCategories[0]!,
      inputs: m.card.inputs,
      outputs: m.card.outputs,
      state: this.states[m.modelId] ?? null,
    }));
  }

  stateRecords(): Record<string, ModelStateRecord> {
    return { ...this.states };
  }

  /** What heartbeats carry: each serving version as active, plus the version in progress or failed. */
  runningModels(): RunningModel[] {
    const out: RunningModel[] = [...this.serving.values()].map((m) => ({ modelId: m.modelId, version: m.version, state: 'active' }));
    for (const [modelId, record] of Object.entries(this.states)) {
      if (this.serving.get(modelId)?.version !== record.version) out.push({ modelId, version: record.version, state: record.state });
    }
    return out;
  }

  /** Resolves when no model is being reconciled (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.workers.size) await Promise.allSettled([...this.workers.values()].map((w) => w.done));
    await this.reports.idle();
  }

  private schedule(modelId: string): void {
    const existing = this.workers.get(modelId);
    if (existing) {
      existing.dirty = true;
      return;
    }
    const worker: Worker = { dirty: true, done: Promise.resolve() };
    worker.done = (async () => {
      while (worker.dirty && !this.stopController.signal.aborted) {
        worker.dirty = false;
        try {
          await this.reconcile(modelId);
        } catch (error) {
          this.logger.error({ modelId, err: String((error as Error)?.stack ?? error) }, 'model reconciliation failed');
        }
      }
      this.workers.delete(modelId);
    })();
    this.workers.set(modelId, worker);
  }

  private async reconcile(modelId: string): Promise<void> {
    const target = this.targets?.get(modelId);
    if (!target) {
      if (this.targets) await this.deactivate(modelId);
      return;
    }
    const refProblem = checkModelRef(target.modelId, target.version);
    if (refProblem) return this.fail(target, 'verifying', refProblem);
    const serving = this.serving.get(modelId);
    if (serving?.version === target.version) {
      const record = this.states[modelId];
      if (!record || record.version !== target.version || record.state !== 'active' || record.rolloutId !== target.rolloutId) {
        await this.setState(target, 'active', 'already active on this node');
      }
      return;
    }
    const record = this.states[modelId];
    const failedBefore =
      record?.state === 'failed' && record.version === target.version && record.rolloutId === target.rolloutId && record.artifactSha256 === target.artifactSha256;
    // A version that failed for this rollout is not retried on every re-sent desired state (a new
    // rollout retries it) — unless it failed for want of a signing key the node may trust by now.
    const retryWithNewKeys = record !== undefined && /unknown key/.test(record.detail) && (this.failedAtEpoch.get(modelId) ?? -1) < this.trustEpoch;
    if (failedBefore && !retryWithNewKeys) return;

    const signed: StoredManifest = { manifest: Buffer.from(target.manifest), keyId: target.keyId, signature: Buffer.from(target.signature) };
    const verified = verifyManifest(signed, this.trust.keys(), { tenantId: this.trust.tenantId, modelId: target.modelId, version: target.version, artifactSha256: target.artifactSha256 });
    if (!verified.ok) return this.fail(target, 'verifying', `manifest refused: ${verified.reason}`);
    const manifest = verified.manifest;
    if (manifest.artifact.size !== target.artifactSize) return this.fail(target, 'verifying', `manifest refused: artifact size ${manifest.artifact.size} differs from the desired state's ${target.artifactSize}`);
    const expected = { sha256: manifest.artifact.sha256, size: manifest.artifact.size };

    if (!(await this.store.isCached(modelId, target.version))) {
      const obtained = await this.download(target, expected, signed);
      if (!obtained) return;
    } else {
      await this.setState(target, 'verifying', 'found in the local cache; no download');
    }
    if (!this.isCurrent(target)) return;

    let artifact: Buffer;
    try {
      ({ artifact } = await this.store.readCached(modelId, target.version, expected));
    } catch (error) {
      // A damaged cache entry is dropped; the next pass downloads it again.
      await this.store.prune(modelId, (await this.store.cachedVersions(modelId)).filter((v) => v !== target.version));
      return this.fail(target, 'verifying', `cached artifact refused: ${(error as Error).message}`);
    }
    await this.activate(target, manifest, artifact);
  }

  private async download(target: DesiredModel, expected: { sha256: string; size: number }, signed: StoredManifest): Promise<boolean> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    this.stopController.signal.addEventListener('abort', stop);
    this.downloads.set(target.modelId, { version: target.version, controller });
    // A desired state that arrived between this reconciliation's start and now found no download
    // to abort: check here, or a superseded download would retry a refused artifact forever.
    if (!this.isCurrent(target)) controller.abort();
    try {
      for (let attempt = 0; ; attempt += 1) {
        await this.setState(target, 'downloading', attempt ? 'downloading again from the start after a mismatch' : '');
        let resumedFrom: number;
        try {
          ({ resumedFrom } = await downloadArtifact(
            this.transport,
            this.store,
            { modelId: target.modelId, version: target.version, size: expected.size },
            controller.signal,
            this.logger,
            { backoff: this.options.backoff, checkpointBytes: this.options.checkpointBytes, idleTimeoutMs: this.options.idleTimeoutMs },
          ));
        } catch (error) {
          if (error instanceof DownloadAborted) return false;
          if (error instanceof DownloadRefused) {
            await this.fail(target, 'downloading', error.message);
            return false;
          }
          throw error;
        }
        await this.setState(target, 'verifying', resumedFrom ? `resumed from byte ${resumedFrom}` : '');
        try {
          await this.store.commitDownload(target.modelId, target.version, expected, signed);
          return true;
        } catch (error) {
          if (!(error instanceof ArtifactMismatch)) throw error;
          // A file resumed across a crash may hold damage a fresh download would not: one more try.
          if (resumedFrom > 0 && attempt === 0) {
            this.logger.warn({ modelId: target.modelId, version: target.version, reason: error.message }, 'resumed artifact did not verify; downloading again');
            continue;
          }
          await this.fail(target, 'verifying', error.message);
          return false;
        }
      }
    } finally {
      this.stopController.signal.removeEventListener('abort', stop);
      if (this.downloads.get(target.modelId)?.controller === controller) this.downloads.delete(target.modelId);
    }
  }

  private async activate(target: DesiredModel, manifest: ModelManifest, artifact: Buffer): Promise<void> {
    await this.setState(target, 'activating', '');
    let model: LoadedModel;
    try {
      model = await LoadedModel.load(artifact, manifest.card);
    } catch (error) {
      return this.fail(target, 'activating', (error as Error).message);
    }
    if (!this.isCurrent(target)) {
      await model.release();
      return;
    }
    const before = this.active[target.modelId];
    const previous = before && before.version !== target.version ? before.version : (before?.previous ?? null);
    const rolledBack = before !== undefined && compareSemver(target.version, before.version) < 0;
    const data = { modelId: target.modelId, name: manifest.name, version: target.version, rolloutId: target.rolloutId, sha256: manifest.artifact.sha256 };
    const event = rolledBack
      ? { type: 'model.rolled_back', data: { ...data, from: before.version, to: target.version }, category: manifest.card.inputCategories[0] }
      : { type: 'model.activated', data: { ...data, previous: before?.version ?? null }, category: manifest.card.inputCategories[0] };
    // The pointer carries its audit event until the event is journaled (see journalPending). The
    // event's time is the switch's, so a copy of it in the journal is recognisable byte for byte.
    const activatedAt = new Date().toISOString();
    this.active[target.modelId] = { name: manifest.name, version: target.version, previous, activatedAt, unjournaled: { ...event, at: activatedAt } };
    try {
      await this.persistActive();
    } catch (error) {
      if (before) this.active[target.modelId] = before;
      else delete this.active[target.modelId];
      await model.release();
      return this.fail(target, 'activating', `cannot write the active pointer: ${(error as Error).message}`);
    }
    const replaced = this.serving.get(target.modelId);
    this.serving.set(target.modelId, { modelId: target.modelId, name: manifest.name, version: target.version, card: manifest.card, artifactSha256: manifest.artifact.sha256, model });
    void replaced?.model.release();
    await this.journalPending(target.modelId);
    this.logger.info({ modelId: target.modelId, name: manifest.name, version: target.version, previous: before?.version, rolledBack }, rolledBack ? 'model rolled back' : 'model activated');
    await this.setState(target, 'active', rolledBack ? `rolled back from ${before.version}` : before ? `replaced ${before.version}` : '');
    const removed = await this.store.prune(target.modelId, [target.version, previous]);
    if (removed.length) this.logger.info({ modelId: target.modelId, removed }, 'pruned cached model versions');
  }

  private async deactivate(modelId: string): Promise<void> {
    const pointer = this.active[modelId];
    const serving = this.serving.get(modelId);
    if (this.states[modelId]) {
      delete this.states[modelId];
      await this.persistStates();
    }
    if (!pointer && !serving) {
      this.publish();
      return;
    }
    delete this.active[modelId];
    await this.persistActive();
    this.serving.delete(modelId);
    await serving?.model.release();
    await this.record('model.deactivated', { modelId, name: pointer?.name ?? serving?.name, version: pointer?.version ?? serving?.version });
    this.logger.info({ modelId, version: pointer?.version }, 'model deactivated: absent from the desired state');
    this.publish();
  }

  private async loadFromCache(modelId: string, version: string): Promise<ServingModel> {
    const signed = await this.store.readCachedManifest(modelId, version);
    const verified = verifyManifest(signed, this.trust.keys(), { tenantId: this.trust.tenantId, modelId, version });
    if (!verified.ok) throw new Error(`stored manifest refused: ${verified.reason}`);
    const { artifact } = await this.store.readCached(modelId, version, { sha256: verified.manifest.artifact.sha256, size: verified.manifest.artifact.size });
    const model = await LoadedModel.load(artifact, verified.manifest.card);
    return { modelId, name: verified.manifest.name, version, card: verified.manifest.card, artifactSha256: verified.manifest.artifact.sha256, model };
  }

  private isCurrent(target: DesiredModel): boolean {
    return !this.stopController.signal.aborted && this.targets?.get(target.modelId) === target;
  }

  private async fail(target: DesiredModel, stage: string, reason: string): Promise<void> {
    this.failedAtEpoch.set(target.modelId, this.trustEpoch);
    this.logger.warn({ modelId: target.modelId, name: target.name, version: target.version, stage, reason }, 'model version not activated; the previous version keeps serving');
    await this.record('model.activation_failed', { modelId: target.modelId, name: target.name, version: target.version, rolloutId: target.rolloutId, stage, reason, serving: this.serving.get(target.modelId)?.version ?? null });
    await this.setState(target, 'failed', `${stage}: ${reason}`);
  }

  private async setState(target: DesiredModel, state: Step, detail: string): Promise<void> {
    this.states[target.modelId] = {
      version: target.version,
      state,
      detail: detail.slice(0, 1000),
      rolloutId: target.rolloutId,
      artifactSha256: target.artifactSha256,
      at: new Date().toISOString(),
      reported: false,
    };
    await this.persistStates();
    this.reports.enqueue({ modelId: target.modelId, version: target.version, state, detail: detail.slice(0, 1000), rolloutId: target.rolloutId });
    this.publish();
  }

  private markReported(report: ModelStateReport): void {
    const record = this.states[report.modelId];
    if (record && record.version === report.version && record.state === report.state && record.rolloutId === report.rolloutId && !record.reported) {
      record.reported = true;
      void this.persistStates().catch(() => undefined);
    }
  }

  private publish(): void {
    this.state.models = this.runningModels();
  }

  private persistActive(): Promise<void> {
    const next = this.persisting.then(() => this.store.writeActive(this.active));
    this.persisting = next.catch(() => undefined);
    return next;
  }

  private persistStates(): Promise<void> {
    const next = this.persisting.then(() => this.store.writeStates(this.states));
    this.persisting = next.catch(() => undefined);
    return next;
  }

  /**
   * Journals the activation event the model's pointer still carries, then drops it from the pointer.
   * The pointer is switched first (serving follows it) and written with its event, so a crash between
   * the switch and the journal record leaves the event on disk, and the next start journals it: an
   * activation is never in force without its record. A crash after the record but before the pointer
   * is rewritten leaves the event in both places; the next start finds it in the journal (same time,
   * same bytes) and only drops it from the pointer, so the activation is journaled exactly once.
   */
  private async journalPending(modelId: string, { afterCrash = false } = {}): Promise<void> {
    const pointer = this.active[modelId];
    if (!pointer?.unjournaled) return;
    const { type, data, category, at } = pointer.unjournaled;
    // A pointer written before events carried their time cannot be matched: journaled as it was.
    const alreadyJournaled =
      afterCrash && at !== undefined
        ? await this.audit.journaled({ at, type, data, ...(category ? { category } : {}) }).catch((error: unknown) => {
            this.logger.error({ modelId, err: String(error) }, 'cannot read the journal to look for a pending activation record');
            return false;
          })
        : false;
    if (!alreadyJournaled && !(await this.record(type, data, category, at))) return; // kept on the pointer: retried at the next start
    delete pointer.unjournaled;
    await this.persistActive().catch((error: unknown) => this.logger.error({ modelId, err: String(error) }, 'cannot rewrite the active pointer after journaling its activation'));
  }

  private async record(type: string, data: Record<string, unknown>, category?: string, at?: string): Promise<boolean> {
    return this.audit.record({ type, ...(category ? { category } : {}), data, ...(at ? { at } : {}) }).then(
      () => true,
      (error: unknown) => {
        this.logger.error({ type, err: String(error) }, 'could not journal a model event');
        return false;
      },
    );
  }
}

/**
 * Reports go out one at a time, in order (the control plane accepts downloading → verifying →
 * activating → active, not a skip), each retried with backoff until delivered. A report the control
 * plane rejects as invalid is dropped: sending it again would not change the answer.
 */
class ReportQueue {
  private readonly queue: ModelStateReport[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly transport: ModelTransport,
    private readonly logger: Logger,
    private readonly backoffOptions: { initialMs: number; maxMs: number },
    private readonly signal: AbortSignal,
    private readonly delivered: (report: ModelStateReport) => void,
  ) {}

  enqueue(report: ModelStateReport): void {
    this.queue.push(report);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    const backoff = new Backoff(this.backoffOptions.initialMs, this.backoffOptions.maxMs);
    while (this.queue.length && !this.signal.aborted) {
      const report = this.queue[0]!;
      try {
        await this.transport.reportModelState(report);
        this.queue.shift();
        backoff.reset();
        this.delivered(report);
      } catch (error) {
        const code = isServiceError(error) ? error.code : undefined;
        if (code === GrpcStatus.INVALID_ARGUMENT || code === GrpcStatus.FAILED_PRECONDITION || code === GrpcStatus.NOT_FOUND) {
          this.logger.warn({ report, details: isServiceError(error) ? error.details : String(error) }, 'model state report refused by the control plane; dropped');
          this.queue.shift();
          continue;
        }
        this.logger.debug({ err: String(error) }, 'model state report not delivered; retrying');
        await sleep(Math.max(backoff.next(), 50), this.signal);
      }
    }
  }
}
