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

  it('fails on the inference error rate, once there are enough requests to judge', () => {
    const failing = evaluateBatch({ ...base, nodes: [healthy(40, 10), healthy(60, 5)], settledAt: at(0), now: at(30) });
    expect(failing).toMatchObject({ kind: 'judged', result: { passed: false, errorRate: 0.15 } });
    if (failing.kind === 'judged') expect(failing.result.reasons).toEqual(['inference error rate 15% above 10% (15/100)']);
    const tooFew = evaluateBatch({ ...base, nodes: [healthy(5, 5)], settledAt: at(0), now: at(30) });
    expect(tooFew).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: 1 } });
    const idle = evaluateBatch({ ...base, nodes: [healthy(0, 0)], settledAt: at(0), now: at(30) });
    expect(idle).toMatchObject({ kind: 'judged', result: { passed: true, errorRate: null } });
  });

  it('counts from zero after an agent restart reset its counters', () => {
    expect(counterDelta(150, 100)).toBe(50);
    expect(counterDelta(20, 100)).toBe(20);
  });
});
