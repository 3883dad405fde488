import { describe, expect, it } from 'vitest';
import { encodeEvent, type AuditEvent } from '@meridian/audit';
import { checkAgentEvent, MAX_EVENT_DEPTH, nestingDepth } from './agent-event';

const owner = { nodeId: '6f1d2c7e-0000-4000-8000-000000000001', siteId: '6f1d2c7e-0000-4000-8000-0000000000aa' };
const actor = `node:${owner.nodeId}`;
const at = '2026-12-02T05:00:00.000Z';
const reasonOf = (body: string) => {
  const check = checkAgentEvent(body, owner);
  return check.ok ? 'ok' : check.reason;
};
const reasonFor = (event: Record<string, unknown>) => reasonOf(encodeEvent(event as unknown as AuditEvent));

describe('checkAgentEvent', () => {
  it('accepts what agents journal, and returns the parsed event and time', () => {
    const events: AuditEvent[] = [
      { at, type: 'model.inference', actor, category: 'inspection_images', decision: 'allow_with_redaction', data: { action: 'infer', outputHash: 'ab'.repeat(32), durationMs: 0.012, metadata: { line: 'A [3]' } } },
      { at, type: 'bundle.applied', actor, data: { version: 3, digest: 'cd'.repeat(32) } },
      { at, type: 'model.activation_failed', actor, siteId: owner.siteId, data: { reason: 'bad {input}' } },
    ];
    for (const event of events) {
      const check = checkAgentEvent(encodeEvent(event), owner);
      expect(check).toEqual({ ok: true, event, at: new Date(at) });
    }
  });

  it('refuses claims beyond the node: another actor, another site, a control-plane type', () => {
    expect(reasonFor({ at, type: 'policy.decision', actor: 'user:1' })).toMatch(/^actor: must be node:/);
    expect(reasonFor({ at, type: 'policy.decision', actor: 'node:someone-else' })).toMatch(/^actor/);
    expect(reasonFor({ at, type: 'policy.decision', actor, siteId: 'another-site' })).toMatch(/^siteId/);
    expect(reasonFor({ at, type: 'admin.user.created', actor })).toBe('type: admin.* events are written by the control plane only');
    expect(reasonFor({ at, type: 'rollout.completed', actor })).toMatch(/^type: rollout\.\*/);
  });

  it('refuses indexed fields that are not what the API filters by', () => {
    expect(reasonFor({ at, type: 'x.<img src=x>', actor })).toMatch(/^type/);
    expect(reasonFor({ at, type: 'notdotted', actor })).toMatch(/^type/);
    expect(reasonFor({ at, type: `a.${'b'.repeat(100)}`, actor })).toMatch(/^type/);
    expect(reasonFor({ at, type: 'policy.decision', actor, category: 'Images' })).toMatch(/^category/);
    expect(reasonFor({ at, type: 'policy.decision', actor, decision: 'maybe' })).toMatch(/^decision/);
    expect(reasonFor({ at: 'yesterday', type: 'policy.decision', actor })).toMatch(/^at/);
    expect(reasonFor({ at: '+100000-01-01T00:00:00.000Z', type: 'policy.decision', actor })).toMatch(/^at/);
    expect(reasonOf('[1]')).toBe('not a JSON object');
    expect(reasonOf('{"at"')).toBe('not JSON');
  });

  it('refuses a body that is not the canonical JSON the chain hash covers', () => {
    const canonical = encodeEvent({ at, type: 'policy.decision', actor, decision: 'deny' });
    expect(reasonOf(canonical)).toBe('ok');
    // duplicate key: JSON.parse keeps the last, other readers the first
    expect(reasonOf(canonical.replace('"decision":"deny"', '"decision":"deny","decision":"allow"'))).toMatch(/canonical/);
    expect(reasonOf(`{"type":"policy.decision","at":"${at}","actor":"${actor}"}`)).toMatch(/canonical/); // keys unsorted
    expect(reasonOf(canonical.replace(',', ', '))).toMatch(/canonical/);
  });

  it('refuses deep nesting without recursing into it', () => {
    const nested = (depth: number) => `{"actor":"${actor}","at":"${at}","data":{"x":${'['.repeat(depth)}${']'.repeat(depth)}},"type":"model.inference"}`;
    expect(reasonOf(nested(MAX_EVENT_DEPTH - 2))).toBe('ok');
    expect(reasonOf(nested(MAX_EVENT_DEPTH))).toBe(`nested deeper than ${MAX_EVENT_DEPTH} levels`);
    expect(reasonOf(nested(100_000))).toBe(`nested deeper than ${MAX_EVENT_DEPTH} levels`);
  });

  it('counts nesting outside strings only', () => {
    // atMost 0: always the full scan
    expect(nestingDepth('{"a":[{"b":"[[[{{{\\"]]]"}]}', 0)).toBe(3);
    expect(nestingDepth('"[[["', 0)).toBe(0);
    expect(nestingDepth('[]', 0)).toBe(1);
    expect(nestingDepth('[[],[[]],{}]', 0)).toBe(3);
    // few brackets: their count bounds the depth, and is returned as is
    expect(nestingDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(nestingDepth(`{"a":"${'['.repeat(40)}"}`)).toBe(1);
  });
});
