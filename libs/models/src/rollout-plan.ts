import { z } from 'zod';

/**
 * Pure rollout planning shared by the API (which plans a rollout when it is created) and the worker
 * (which runs it): which nodes a selector targets, how they are cut into a canary and batches, and
 * whether a batch passed its health gate. No I/O here, so all of it is unit-tested.
 */

const COUNTRY = /^[A-Z]{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;

export const rolloutSelectorSchema = z
  .object({
    /** Nodes at sites in any of these countries (ISO 3166-1 alpha-2). */
    countries: z.array(z.string().regex(COUNTRY, 'must be an upper-case ISO 3166-1 alpha-2 code')).max(250).optional(),
    /** Nodes at any of these sites. */
    siteIds: z.array(z.string().regex(UUID, 'must be a UUID')).max(1000).optional(),
    /** Nodes carrying every one of these labels with exactly these values. */
    labels: z
      .record(z.string().regex(LABEL_KEY, 'label keys look like "line" or "zone/a"'), z.string().max(63))
      .refine((labels) => Object.keys(labels).length <= 32, 'at most 32 labels')
      .optional(),
  })
  .strict();
export type RolloutSelector = z.infer<typeof rolloutSelectorSchema>;

export const rolloutStrategySchema = z
  .object({
    /** The first batch: a fixed number of nodes, or a percentage of the targets (at least one node either way). */
    canary: z
      .object({ count: z.number().int().min(1).max(100_000).optional(), percent: z.number().gt(0).max(100).optional() })
      .strict()
      .refine((c) => (c.count === undefined) !== (c.percent === undefined), 'give exactly one of count or percent')
      .default({ count: 1 }),
    /** Nodes per batch after the canary. */
    batchSize: z.number().int().min(1).max(100_000).default(50),
    /** Wait between a batch passing its gate and the next batch starting. */
    pauseSeconds: z.number().int().min(0).max(7 * 86_400).default(60),
    /** A batch not settled by then is judged as it stands (nodes still on their way count as not activated). */
    batchTimeoutSeconds: z.number().int().min(1).max(86_400).default(600),
    gate: z
      .object({
        /** Share of the batch that must reach `active`. */
        minActivationRatio: z.number().min(0).max(1).default(1),
        /**
         * Highest inference error rate (errors / requests since the batch started, from heartbeats) any
         * one node of the batch may show. A node with `minRequests` or more is judged on its own
         * counters, never pooled, so no busy node's numbers can dilute another's failures; the nodes
         * below `minRequests` are judged together (see evaluateBatch).
         */
        maxErrorRate: z.number().min(0).max(1).default(0.05),
        /** A node with fewer requests than this is too quiet to be judged alone; such nodes are judged together once they reach it between them. */
        minRequests: z.number().int().min(0).max(1_000_000).default(1),
        /** How long to watch inference after the batch settled before judging it. */
        observeSeconds: z.number().int().min(0).max(86_400).default(30),
      })
      .strict()
      .default({ minActivationRatio: 1, maxErrorRate: 0.05, minRequests: 1, observeSeconds: 30 }),
  })
  .strict();
export type RolloutStrategy = z.infer<typeof rolloutStrategySchema>;

export interface SelectableNode {
  id: string;
  siteId: string;
  country: string;
  labels: Record<string, unknown>;
}

/** Whether a node is targeted: every given criterion must hold; within a list, any entry matches. */
export function matchesSelector(node: SelectableNode, selector: RolloutSelector): boolean {
  if (selector.countries?.length && !selector.countries.includes(node.country)) return false;
  if (selector.siteIds?.length && !selector.siteIds.includes(node.siteId)) return false;
  for (const [key, value] of Object.entries(selector.labels ?? {})) if (node.labels[key] !== value) return false;
  return true;
}

/**
 * Cuts the targets into batches: batch 1 is the canary, the rest go `batchSize` at a time. The
 * canary is spread over countries and sites (round robin), so a bad version shows up wherever it
 * would break before most nodes have it. Deterministic for a given input.
 */
export function planBatches(nodes: readonly SelectableNode[], strategy: Pick<RolloutStrategy, 'canary' | 'batchSize'>): string[][] {
  if (nodes.length === 0) return [];
  const ordered = interleaveBySite(nodes);
  const canarySize = Math.min(
    ordered.length,
    Math.max(1, strategy.canary.count ?? Math.ceil((ordered.length * (strategy.canary.percent ?? 0)) / 100)),
  );
  const batches: string[][] = [ordered.slice(0, canarySize)];
  for (let start = canarySize; start < ordered.length; start += strategy.batchSize) batches.push(ordered.slice(start, start + strategy.batchSize));
  return batches;
}

function interleaveBySite(nodes: readonly SelectableNode[]): string[] {
  const bySite = new Map<string, string[]>();
  const sorted = [...nodes].sort((a, b) => a.country.localeCompare(b.country) || a.siteId.localeCompare(b.siteId) || a.id.localeCompare(b.id));
  for (const node of sorted) {
    const list = bySite.get(node.siteId) ?? [];
    list.push(node.id);
    bySite.set(node.siteId, list);
  }
  const queues = [...bySite.values()];
  const out: string[] = [];
  for (let round = 0; out.length < nodes.length; round += 1) for (const queue of queues) if (round < queue.length) out.push(queue[round]!);
  return out;
}

export interface BatchNodeHealth {
  state: string;
  /** Inference counters since the batch started (deltas of the heartbeats' cumulative counters). */
  requests: number;
  errors: number;
}

export interface GateResult {
  batch: number;
  passed: boolean;
  activationRatio: number;
  /** The highest error rate judged: of a node with at least `minRequests` requests, or of the quiet nodes together; null when nothing was judged. */
  errorRate: number | null;
  /** Requests and errors over every node of the batch: for information only, the gate never judges the sum. */
  requests: number;
  errors: number;
  reasons: string[];
  evaluatedAt: string;
}

export type BatchVerdict = { kind: 'wait' } | { kind: 'judged'; result: GateResult };

/**
 * What the batch's gate says now. Waits while nodes are still moving (until the batch time-out),
 * then for the observation window; fails at once when activation can no longer reach the minimum.
 * The error rate is judged per node: the batch fails if any node with at least `minRequests`
 * requests shows more than `maxErrorRate`. Counters come from agents, so a rate pooled over all
 * nodes would let one node (inflating its requests) hide another's failures; judged alone, a busy
 * node can only fail itself. The quiet nodes (served something, fewer than `minRequests` each) are
 * judged as one group once they reach `minRequests` between them: otherwise a model failing on
 * every quiet factory would pass. Inside that group a node can dilute the others by at most
 * `minRequests - 1` requests (any more and it is judged alone instead).
 */
export function evaluateBatch(input: {
  batch: number;
  nodes: readonly BatchNodeHealth[];
  gate: RolloutStrategy['gate'];
  batchStartedAt: Date;
  timeoutSeconds: number;
  /** When the last node of the batch settled (active or failed), if all have. */
  settledAt: Date | null;
  now: Date;
}): BatchVerdict {
  const { nodes, gate, now } = input;
  const total = nodes.length;
  const active = nodes.filter((n) => n.state === 'active').length;
  const failed = nodes.filter((n) => n.state === 'failed' || n.state === 'rolled_back').length;
  const timedOut = now.getTime() - input.batchStartedAt.getTime() >= input.timeoutSeconds * 1000;
  const bestPossibleRatio = total === 0 ? 1 : (total - failed) / total;
  const hopeless = bestPossibleRatio < gate.minActivationRatio;
  if (!hopeless && !timedOut) {
    if (!input.settledAt) return { kind: 'wait' };
    if (now.getTime() - input.settledAt.getTime() < gate.observeSeconds * 1000) return { kind: 'wait' };
  }
  const requests = sum(nodes, 'requests');
  const errors = sum(nodes, 'errors');
  const activationRatio = total === 0 ? 1 : active / total;
  // Busy nodes each on their own counters; the quiet ones together; a node that served nothing not at all.
  const judged = nodes.filter((n) => n.requests > 0 && n.requests >= gate.minRequests);
  const quiet = nodes.filter((n) => n.requests > 0 && n.requests < gate.minRequests);
  const quietTogether = { requests: sum(quiet, 'requests'), errors: sum(quiet, 'errors') };
  const quietJudged = quiet.length > 0 && quietTogether.requests >= gate.minRequests;
  let worst: Counters | undefined;
  for (const n of judged) if (!worst || rate(n) > rate(worst)) worst = n;
  if (quietJudged && (!worst || rate(quietTogether) > rate(worst))) worst = quietTogether;
  const errorRate = worst ? rate(worst) : null;
  const failing = judged.filter((n) => rate(n) > gate.maxErrorRate);
  const worstFailing = failing.reduce<Counters | undefined>((w, n) => (!w || rate(n) > rate(w) ? n : w), undefined);
  const reasons: string[] = [];
  if (activationRatio < gate.minActivationRatio) {
    reasons.push(`activation ${formatRatio(activationRatio)} below ${formatRatio(gate.minActivationRatio)} (${active}/${total} active${timedOut && !hopeless ? ', batch timed out' : ''})`);
  }
  if (worstFailing) {
    reasons.push(
      `inference error rate above ${formatRatio(gate.maxErrorRate)} on ${failing.length} of ${judged.length} node${judged.length === 1 ? '' : 's'} judged (worst ${formatRatio(rate(worstFailing))}: ${worstFailing.errors}/${worstFailing.requests})`,
    );
  }
  if (quietJudged && rate(quietTogether) > gate.maxErrorRate) {
    reasons.push(
      `inference error rate above ${formatRatio(gate.maxErrorRate)} on ${quiet.length} quiet node${quiet.length === 1 ? '' : 's'} judged together, each below ${gate.minRequests} requests (${formatRatio(rate(quietTogether))}: ${quietTogether.errors}/${quietTogether.requests})`,
    );
  }
  return {
    kind: 'judged',
    result: { batch: input.batch, passed: reasons.length === 0, activationRatio, errorRate, requests, errors, reasons, evaluatedAt: now.toISOString() },
  };
}

type Counters = Pick<BatchNodeHealth, 'requests' | 'errors'>;

function rate(counters: Counters): number {
  return counters.errors / counters.requests;
}

function sum(nodes: readonly Counters[], counter: keyof Counters): number {
  return nodes.reduce((total, n) => total + n[counter], 0);
}

/** Requests and errors since the baseline; counters that went down mean the agent restarted, so they count from zero. */
export function counterDelta(now: number, baseline: number): number {
  return now >= baseline ? now - baseline : now;
}

function formatRatio(value: number): string {
  return `${Math.round(value * 10_000) / 100}%`;
}
