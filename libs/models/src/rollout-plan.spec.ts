import { describe, expect, it } from 'vitest';
import { counterDelta, evaluateBatch, matchesSelector, planBatches, rolloutSelectorSchema, rolloutStrategySchema, type SelectableNode } from './rollout-plan';

const node = (id: string, country: string, siteId: string, labels: Record<string, string> = {}): SelectableNode => ({ id, country, siteId, labels });
const gate = { minActivationRatio: 1, maxErrorRate: 0.1, minRequests: 10, observeSeconds: 30 };
const t0 = new Date('2026-11-25T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('selector', () => {
  const gw = node('n1', 'ID', 's-id', { line: 'a', zone: 'north' });
  it('ANDs criteria and ORs entries of a list', () => {
    expect(matchesSelector(gw, {})).toBe(true);
    expect(matchesSelector(gw, { countries: ['CL', 'ID'] })).toBe(true);
    expect(matchesSelector(gw, { countries: ['CL'] })).toBe(false);
    expect(matchesSelector(gw, { countries: ['ID'], siteIds: ['s-cl'] })).toBe(false);
    expect(matchesSelector(gw, { siteIds: ['s-id'], labels: { line: 'a' } })).toBe(true);
    expect(matchesSelector(gw, { labels: { line: 'a', zone: 'south' } })).toBe(false);
    expect(matchesSelector(gw, { labels: { missing: 'x' } })).toBe(false);
  });
  it('refuses malformed selectors with the path of the problem', () => {
    const bad = rolloutSelectorSchema.safeParse({ countries: ['id'], siteIds: ['nope'], extra: 1 });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['countries.0', 'siteIds.0', '']));
  });
});

describe('strategy', () => {
  it('fills safe defaults and refuses an ambiguous canary', () => {
    const parsed = rolloutStrategySchema.parse({});
    expect(parsed).toMatchObject({ canary: { count: 1 }, batchSize: 50, gate: { minActivationRatio: 1, maxErrorRate: 0.05 } });
    expect(rolloutStrategySchema.safeParse({ canary: { count: 1, percent: 5 } }).success).toBe(false);
    expect(rolloutStrategySchema.safeParse({ canary: {} }).success).toBe(false);
    expect(rolloutStrategySchema.safeParse({ gate: { maxErrorRate: 2 } }).success).toBe(false);
  });
});

describe('planBatches', () => {
  const fleet = [
    ...Array.from({ length: 6 }, (_, i) => node(`id-${i}`, 'ID', 's-id')),
    ...Array.from({ length: 4 }, (_, i) => node(`cl-${i}`, 'CL', 's-cl')),
  ];
  it('puts a canary first, then batches, covering every node exactly once', () => {
    const batches = planBatches(fleet, { canary: { count: 2 }, batchSize: 3 });
    expect(batches.map((b) => b.length)).toEqual([2, 3, 3, 2]);
    expect(new Set(batches.flat()).size).toBe(10);
    // canary spread over both sites
    expect(batches[0]!.map((id) => id.slice(0, 2)).sort()).toEqual(['cl', 'id']);
  });
  it('sizes a percentage canary up to at least one node', () => {
    expect(planBatches(fleet, { canary: { percent: 25 }, batchSize: 100 }).map((b) => b.length)).toEqual([3, 7]);
    expect(planBatches(fleet, { canary: { percent: 0.1 }, batchSize: 100 })[0]).toHaveLength(1);
    expect(planBatches(fleet, { canary: { count: 50 }, batchSize: 5 })).toHaveLength(1);
    expect(planBatches([], { canary: { count: 1 }, batchSize: 5 })).toEqual([]);
  });
  it('is deterministic whatever the input order', () => {
    const shuffled = [...fleet].reverse();
    expect(planBatches(shuffled, { canary: { count: 1 }, batchSize: 4 })).toEqual(planBatches(fleet, { canary: { count: 1 }, batchSize: 4 }));
  });
  it('plans 10,000 nodes quickly', () => {
    const big = Array.from({ length: 10_000 }, (_, i) => node(`n-${String(i).padStart(5, '0')}`, i % 2 ? 'ID' : 'CL', `s-${i % 40}`));
    const started = performance.now();
    const batches = planBatches(big, { canary: { percent: 1 }, batchSize: 1000 });
    expect(performance.now() - started).toBeLessThan(500);
    expect(batches[0]).toHaveLength(100);
    expect(batches).toHaveLength(11);
    expect(new Set(batches.flat()).size).toBe(10_000);
  });
});

describe('evaluateBatch', () => {
  const base = { batch: 1, gate, batchStartedAt: t0, timeoutSeconds: 300 };
  const healthy = (requests = 100, errors = 0) => ({ state: 'active', requests, errors });

  it('waits while nodes move, then for the observation window', () => {
    expect(evaluateBatch({ ...base, nodes: [healthy(), { state: 'downloading', requests: 0, errors: 0 }], settledAt: null, now: at(10) })).toEqual({ kind: 'wait' });
    expect(evaluateBatch({ ...base, nodes: [healthy(), healthy()], settledAt: at(10), now: at(20) })).toEqual({ kind: 'wait' });
    const verdict = evaluateBatch({ ...base, nodes: [healthy(), healthy(50, 1)], settledAt: at(10), now: at(41) });
    expect(verdict).toMatchObject({ kind: 'judged', result: { passed: true, activationRatio: 1, requests: 150, errors: 1, reasons: [] } });
  });

  it('fails at once when activation can no longer reach the minimum', () => {
    const verdict = evaluateBatch({ ...base, nodes: [{ state: 'failed', requests: 0, errors: 0 }, { state: 'downloading', requests: 0, errors: 0 }], settledAt: null, now: at(1) });
    expect(verdict.kind).toBe('judged');
    if (verdict.kind === 'judged') {
      expect(verdict.result.passed).toBe(false);
      expect(verdict.result.reasons[0]).toMatch(/activation 0% below 100% \(0\/2 active\)/);
    }
  });

  it('judges a batch that timed out as it stands', () => {
    const nodes = [healthy(), { state: 'verifying', requests: 0, errors: 0 }];
    expect(evaluateBatch({ ...base, nodes, settledAt: null, now: at(299) })).toEqual({ kind: 'wait' });
    const verdict = evaluateBatch({ ...base, nodes, settledAt: null, now: at(300) });
    expect(verdict).toMatchObject({ kind: 'judged', result: { passed: false, activationRatio: 0.5 } });
    if (verdict.kind === 'judged') expect(verdict.result.reasons[0]).toMatch(/batch timed out/);
    const lenient = evaluateBatch({ ...base, gate: { ...gate, minActivationRatio: 0.5 }, nodes, settledAt: null, now: at(300) });
    expect(lenient).toMatchObject({ kind: 'judged', result: { passed: true } });
  });

  it('fails on the inference error rate of a node, once it has enough requests to judge', () => {
    const failing = evaluateBatch({ ...base, nodes: [healthy(40, 10), healthy(60, 5)], settledAt: at(0), now: at(30) });
    expect(failing).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 0.25, requests: 100, errors: 15 } });
    if (failing.kind === 'judged') expect(failing.result.reasons).toEqual(['inference error rate above 10% on 1 of 2 nodes judged (worst 25%: 10/40)']);
    const tooFew = evaluateBatch({ ...base, nodes: [healthy(5, 5)], settledAt: at(0), now: at(30) });
    expect(tooFew).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: null, requests: 5, errors: 5 } });
    const idle = evaluateBatch({ ...base, nodes: [healthy(0, 0)], settledAt: at(0), now: at(30) });
    expect(idle).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: null } });
    const atTheLimit = evaluateBatch({ ...base, nodes: [healthy(100, 10), healthy(10, 1)], settledAt: at(0), now: at(30) });
    expect(atTheLimit).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: 0.1, reasons: [] } });
  });

  it('judges every node on its own: huge counters on one node cannot mask another node failing', () => {
    // Pooled, this would be 5 errors in 1,000,000,010 requests; the second node alone fails half of its calls.
    const masked = evaluateBatch({ ...base, nodes: [healthy(1_000_000_000, 0), healthy(10, 5)], settledAt: at(0), now: at(30) });
    expect(masked).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 0.5, requests: 1_000_000_010, errors: 5 } });
    if (masked.kind === 'judged') expect(masked.result.reasons).toEqual(['inference error rate above 10% on 1 of 2 nodes judged (worst 50%: 5/10)']);
    // Whatever the others report, in any order and however many of them.
    const many = [...Array.from({ length: 50 }, () => healthy(Number.MAX_SAFE_INTEGER, 0)), healthy(20, 3)];
    for (const nodes of [many, [...many].reverse()]) {
      const verdict = evaluateBatch({ ...base, nodes, settledAt: at(0), now: at(30) });
      expect(verdict).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 0.15 } });
    }
    // Several failing nodes are counted; the worst is shown.
    const two = evaluateBatch({ ...base, nodes: [healthy(10, 2), healthy(10, 8), healthy(100, 0)], settledAt: at(0), now: at(30) });
    expect(two).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 0.8 } });
    if (two.kind === 'judged') expect(two.result.reasons).toEqual(['inference error rate above 10% on 2 of 3 nodes judged (worst 80%: 8/10)']);
  });

  it('judges the quiet nodes (each below minRequests) together, once they reach minRequests between them', () => {
    // 9 requests each < minRequests 10: not judged alone, but 18 requests together, all failed.
    const quietFailing = evaluateBatch({ ...base, nodes: [healthy(9, 9), healthy(9, 9), healthy(100, 0)], settledAt: at(0), now: at(30) });
    expect(quietFailing).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 1, requests: 118, errors: 18 } });
    if (quietFailing.kind === 'judged') expect(quietFailing.result.reasons).toEqual(['inference error rate above 10% on 2 quiet nodes judged together, each below 10 requests (100%: 18/18)']);
    // Fifty factories with 3 calls each, every one failing: the model fails, however quiet each site is.
    const manyQuiet = evaluateBatch({ ...base, nodes: Array.from({ length: 50 }, () => healthy(3, 3)), settledAt: at(0), now: at(30) });
    expect(manyQuiet).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 1 } });
    // Fewer than minRequests between them: too few to judge, even at 100 % errors.
    expect(evaluateBatch({ ...base, nodes: [healthy(4, 4), healthy(5, 5), healthy(100, 0)], settledAt: at(0), now: at(30) })).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: 0, reasons: [] } });
    // Together at or below maxErrorRate: passes.
    expect(evaluateBatch({ ...base, nodes: [healthy(9, 1), healthy(9, 0), healthy(2, 1)], settledAt: at(0), now: at(30) })).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: 0.1 } });
    // A busy node is never in the group: its clean million requests cannot dilute the quiet nodes' failures.
    const busyClean = evaluateBatch({ ...base, nodes: [healthy(1_000_000, 0), healthy(6, 6), healthy(6, 6)], settledAt: at(0), now: at(30) });
    expect(busyClean).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 1 } });
    // Inside the group a node can dilute the others by at most minRequests - 1 (here 9) clean requests.
    const diluted = evaluateBatch({ ...base, nodes: [healthy(9, 0), healthy(5, 5)], settledAt: at(0), now: at(30) });
    expect(diluted).toMatchObject({ kind: 'judged', result: { passed: false } });
    // A node that reaches minRequests is judged alone, and leaves the group.
    const alone = evaluateBatch({ ...base, nodes: [healthy(10, 9), healthy(100, 0)], settledAt: at(0), now: at(30) });
    expect(alone).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 0.9 } });
    if (alone.kind === 'judged') expect(alone.result.reasons).toEqual(['inference error rate above 10% on 1 of 2 nodes judged (worst 90%: 9/10)']);
    // Both kinds of failure are reported.
    const both = evaluateBatch({ ...base, nodes: [healthy(10, 9), healthy(9, 9), healthy(9, 9)], settledAt: at(0), now: at(30) });
    if (both.kind === 'judged') expect(both.result.reasons).toHaveLength(2);
    expect(both).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 1 } });
    // minRequests 0 (or 1) judges every node that served anything on its own, never one that served nothing.
    const zero = { ...gate, minRequests: 0 };
    expect(evaluateBatch({ ...base, gate: zero, nodes: [healthy(1, 1), healthy(0, 0)], settledAt: at(0), now: at(30) })).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 1 } });
    expect(evaluateBatch({ ...base, gate: zero, nodes: [healthy(0, 0)], settledAt: at(0), now: at(30) })).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: null } });
  });

  it('reports activation and error-rate failures together', () => {
    const verdict = evaluateBatch({ ...base, nodes: [healthy(10, 5), { state: 'failed', requests: 0, errors: 0 }], settledAt: at(0), now: at(30) });
    expect(verdict.kind).toBe('judged');
    if (verdict.kind === 'judged') {
      expect(verdict.result.passed).toBe(false);
      expect(verdict.result.reasons).toHaveLength(2);
      expect(verdict.result.reasons[0]).toMatch(/^activation 50% below 100%/);
      expect(verdict.result.reasons[1]).toMatch(/^inference error rate above 10% on 1 of 1 node judged/);
    }
  });

  it('counts from zero after an agent restart reset its counters', () => {
    expect(counterDelta(150, 100)).toBe(50);
    expect(counterDelta(20, 100)).toBe(20);
  });
});
