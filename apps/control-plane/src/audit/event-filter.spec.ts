import { describe, expect, it } from 'vitest';
import { eventFilter } from './event-filter';

describe('eventFilter', () => {
  it('adds the source an actor implies: the node for node:<id>, the control plane for anyone else', () => {
    expect(eventFilter({ actor: 'node:7f3e' })).toEqual([{ sourceId: '7f3e' }, { actor: 'node:7f3e' }]);
    for (const actor of ['user:alice', 'api_key:k1', 'system:rollouts']) expect(eventFilter({ actor })).toEqual([{ sourceId: 'control-plane' }, { actor }]);
  });

  it('adds the control-plane source only when every type asked for is one only the control plane writes', () => {
    expect(eventFilter({ type: 'admin.policy.published,rollout.completed' })).toEqual([{ sourceId: 'control-plane' }, { type: { in: ['admin.policy.published', 'rollout.completed'] } }]);
    expect(eventFilter({ type: 'admin.policy.published,model.inference' })).toEqual([{ type: { in: ['admin.policy.published', 'model.inference'] } }]);
    expect(eventFilter({ type: 'administration.x' })).toEqual([{ type: { in: ['administration.x'] } }]);
  });

  it('keeps a named source beside a different implied one, so that nothing matches both', () => {
    expect(eventFilter({ sourceId: 'control-plane', actor: 'node:7f3e' })).toEqual([{ sourceId: 'control-plane' }, { sourceId: '7f3e' }, { actor: 'node:7f3e' }]);
    expect(eventFilter({ sourceId: '7f3e', actor: 'node:7f3e' })).toEqual([{ sourceId: '7f3e' }, { actor: 'node:7f3e' }]);
  });

  it('passes the other conditions through', () => {
    expect(eventFilter({ category: 'personal', decision: 'deny', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })).toEqual([
      { category: 'personal' },
      { decision: 'deny' },
      { occurredAt: { gte: new Date('2026-01-01T00:00:00Z'), lt: new Date('2026-02-01T00:00:00Z') } },
    ]);
    expect(eventFilter({})).toEqual([]);
  });
});
