/**
 * Where one model version is on one node. The agent reports these over ReportModelState; the
 * control plane persists them per rollout node.
 *   pending → downloading → verifying → activating → active
 *   any step → failed;  active/failed → rolled_back (the node went back to its previous version)
 */
export const NODE_MODEL_STATES = ['pending', 'downloading', 'verifying', 'activating', 'active', 'failed', 'rolled_back'] as const;
export type NodeModelState = (typeof NODE_MODEL_STATES)[number];

export const TERMINAL_NODE_MODEL_STATES: readonly NodeModelState[] = ['active', 'failed', 'rolled_back'];

const NEXT: Record<NodeModelState, readonly NodeModelState[]> = {
  pending: ['downloading', 'verifying', 'activating', 'active', 'failed'],
  downloading: ['downloading', 'verifying', 'failed'],
  verifying: ['activating', 'failed'],
  activating: ['active', 'failed'],
  active: ['rolled_back', 'failed'],
  failed: ['pending', 'downloading', 'rolled_back'],
  rolled_back: ['pending'],
};

export function isNodeModelState(value: string): value is NodeModelState {
  return (NODE_MODEL_STATES as readonly string[]).includes(value);
}

/** Whether a report may move a node from one state to the next (reports can repeat a state; that is not a move). */
export function canTransition(from: NodeModelState, to: NodeModelState): boolean {
  return from === to || NEXT[from].includes(to);
}
