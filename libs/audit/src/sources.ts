/** The control plane's own chain in each tenant's log: what people, API keys and rollouts changed. */
export const CONTROL_PLANE_SOURCE = 'control-plane';

/** Event types only the control plane writes, under its own source: an agent's upload of one is refused. */
export function isControlPlaneEventType(type: string): boolean {
  return /^(admin|rollout)\./.test(type);
}

/**
 * The source whose chain holds an actor's events: ingest stores a node's events under the node's id
 * with actor `node:<id>` (and refuses bodies that claim another), and every other actor — a user, an
 * API key, the rollout engine — acts through the control plane, whose events are all in its own source.
 */
export function sourceOfActor(actor: string): string {
  return actor.startsWith('node:') ? actor.slice('node:'.length) : CONTROL_PLANE_SOURCE;
}
