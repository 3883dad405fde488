import { createHash } from 'node:crypto';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { DesiredModel, DesiredState } from '@meridian/protocol';
import { TestAgent } from './agent-client';

export type Outcome = 'active' | 'failed' | 'hang';

/**
 * A scripted agent for rollout tests: follows its desired state over WatchDesiredState like the
 * real one (download with FetchArtifact, check the digest, report each state, keep previous
 * versions so a rollback activates from cache), heartbeats inference counters the test controls.
 */
export class SimAgent {
  readonly agent: TestAgent;
  /** Every desired state received, with when. */
  readonly received: { at: number; state: DesiredState }[] = [];
  /** What runs now, by model id. */
  readonly running = new Map<string, string>();
  private readonly cache = new Set<string>();
  /** Models to receive but not act on (a node that stays silent). */
  ignore: (model: DesiredModel) => boolean = () => false;
  /** Decides how activating a version ends. */
  outcome: (model: DesiredModel) => Outcome = () => 'active';
  /** Requests and errors added per heartbeat for the model versions running. */
  traffic: (running: Map<string, string>) => { requests: number; errors: number } = () => ({ requests: 10, errors: 0 });
  readonly inference = { requests: 0, errors: 0, denied: 0 };
  private stream: ClientReadableStream<DesiredState> | undefined;
  private heartbeats: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  readonly problems: string[] = [];

  constructor(target: string) {
    this.agent = new TestAgent(target);
  }

  get nodeId(): string {
    return this.agent.nodeId;
  }

  start(heartbeatMs = 250): void {
    this.watch();
    this.heartbeats = setInterval(() => void this.beat(), heartbeatMs);
  }

  /** When did this agent first get `version` of `modelId` in its desired state? */
  firstSeen(modelId: string, version: string): number | undefined {
    return this.received.find((r) => r.state.models.some((m) => m.modelId === modelId && m.version === version))?.at;
  }

  stop(): void {
    clearInterval(this.heartbeats);
    this.stream?.cancel();
    this.agent.close();
  }

  private watch(): void {
    const stream = this.agent.watchDesiredState();
    this.stream = stream;
    stream.on('data', (state: DesiredState) => {
      this.received.push({ at: Date.now(), state });
      this.queue = this.queue.then(() => this.apply(state)).catch((error: unknown) => void this.problems.push(String(error)));
    });
    stream.on('error', () => undefined);
  }

  private async apply(state: DesiredState): Promise<void> {
    const desiredIds = new Set(state.models.map((m) => m.modelId));
    for (const modelId of [...this.running.keys()]) if (!desiredIds.has(modelId)) this.running.delete(modelId);
    for (const model of state.models) {
      if (this.running.get(model.modelId) === model.version || this.ignore(model)) continue;
      const cacheKey = `${model.modelId}@${model.version}`;
      if (this.cache.has(cacheKey)) {
        this.running.set(model.modelId, model.version);
        await this.report(model, 'active', 'activated from cache');
        continue;
      }
      await this.report(model, 'downloading');
      const { data } = await this.agent.download(model.modelId, model.version);
      const digest = createHash('sha256').update(data).digest('hex');
      if (digest !== model.artifactSha256) {
        await this.report(model, 'failed', 'digest mismatch');
        continue;
      }
      await this.report(model, 'verifying');
      await this.report(model, 'activating');
      const outcome = this.outcome(model);
      if (outcome === 'hang') continue;
      if (outcome === 'failed') {
        await this.report(model, 'failed', 'onnx runtime refused the graph');
        continue;
      }
      this.cache.add(cacheKey);
      this.running.set(model.modelId, model.version);
      await this.report(model, 'active');
    }
  }

  private async report(model: DesiredModel, state: string, detail = ''): Promise<void> {
    try {
      await this.agent.reportModelState({ modelId: model.modelId, version: model.version, state, detail, rolloutId: model.rolloutId });
    } catch (error) {
      // The desired state moved on meanwhile (a rollback): the next message says what to do.
      this.problems.push(`${state} ${model.version}: ${(error as { details?: string }).details ?? String(error)}`);
    }
  }

  private async beat(): Promise<void> {
    const added = this.traffic(this.running);
    this.inference.requests += added.requests;
    this.inference.errors += added.errors;
    try {
      await this.agent.heartbeat(this.agent.sign('Heartbeat'), {
        models: [...this.running].map(([modelId, version]) => ({ modelId, version, state: 'active' })),
        inference: { ...this.inference },
      });
    } catch {
      // the control plane may be busy; the next beat carries the totals
    }
  }
}
