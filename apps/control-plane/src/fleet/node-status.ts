import { NodeStatus } from '@meridian/db';

/**
 * Liveness is derived from the last heartbeat at read time, so it is never stale in storage:
 * online within 3 heartbeat intervals, stale within 10, offline after that. Revoked and
 * never-enrolled (pending) nodes keep their stored status.
 */
export const ONLINE_WITHIN_INTERVALS = 3;
export const STALE_WITHIN_INTERVALS = 10;

export function deriveNodeStatus(stored: NodeStatus, lastSeenAt: Date | null, intervalSeconds: number, now = Date.now()): NodeStatus {
  if (stored === NodeStatus.revoked) return NodeStatus.revoked;
  if (!lastSeenAt) return NodeStatus.pending;
  const age = now - lastSeenAt.getTime();
  if (age <= ONLINE_WITHIN_INTERVALS * intervalSeconds * 1000) return NodeStatus.online;
  if (age <= STALE_WITHIN_INTERVALS * intervalSeconds * 1000) return NodeStatus.stale;
  return NodeStatus.offline;
}

/** The same rule as a Prisma filter, for listing nodes by status. */
export function nodeStatusFilter(status: NodeStatus, intervalSeconds: number, now = Date.now()) {
  const onlineSince = new Date(now - ONLINE_WITHIN_INTERVALS * intervalSeconds * 1000);
  const staleSince = new Date(now - STALE_WITHIN_INTERVALS * intervalSeconds * 1000);
  const live = { status: { not: NodeStatus.revoked } };
  switch (status) {
    case NodeStatus.revoked:
      return { status: NodeStatus.revoked };
    case NodeStatus.pending:
      return { ...live, lastSeenAt: null };
    case NodeStatus.online:
      return { ...live, lastSeenAt: { gte: onlineSince } };
    case NodeStatus.stale:
      return { ...live, lastSeenAt: { lt: onlineSince, gte: staleSince } };
    case NodeStatus.offline:
      return { ...live, lastSeenAt: { lt: staleSince } };
  }
}
