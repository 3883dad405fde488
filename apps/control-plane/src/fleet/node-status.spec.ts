import { describe, expect, it } from 'vitest';
import { NodeStatus } from '@meridian/db';
import { deriveNodeStatus, nodeStatusFilter } from './node-status';

describe('node status', () => {
  const now = 1_800_000_000_000;
  const ago = (seconds: number) => new Date(now - seconds * 1000);

  it('derives liveness from the last heartbeat', () => {
    expect(deriveNodeStatus(NodeStatus.online, ago(5), 10, now)).toBe(NodeStatus.online);
    expect(deriveNodeStatus(NodeStatus.online, ago(30), 10, now)).toBe(NodeStatus.online);
    expect(deriveNodeStatus(NodeStatus.online, ago(31), 10, now)).toBe(NodeStatus.stale);
    expect(deriveNodeStatus(NodeStatus.online, ago(100), 10, now)).toBe(NodeStatus.stale);
    expect(deriveNodeStatus(NodeStatus.online, ago(101), 10, now)).toBe(NodeStatus.offline);
  });

  it('keeps revoked and pending', () => {
    expect(deriveNodeStatus(NodeStatus.revoked, ago(1), 10, now)).toBe(NodeStatus.revoked);
    expect(deriveNodeStatus(NodeStatus.pending, null, 10, now)).toBe(NodeStatus.pending);
  });

  it('filters with the same boundaries', () => {
    expect(nodeStatusFilter(NodeStatus.stale, 10, now)).toEqual({
      status: { not: NodeStatus.revoked },
      lastSeenAt: { lt: ago(30), gte: ago(100) },
    });
  });
});
