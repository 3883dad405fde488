import type { RunningModel } from '@meridian/protocol';

/** What the agent knows about itself, shared by the session (reports it) and the local API (shows it). */
export interface AgentState {
  readonly startedAt: number;
  readonly agentVersion: string;
  connected: boolean;
  lastHeartbeatAt: string | null;
  lastError: string | null;
  policyVersion: number;
  policyDigest: string;
  models: RunningModel[];
  inference: { requests: number; errors: number; denied: number };
  auditPendingEvents: number;
}

export function createAgentState(agentVersion: string): AgentState {
  return {
    startedAt: Date.now(),
    agentVersion,
    connected: false,
    lastHeartbeatAt: null,
    lastError: null,
    policyVersion: 0,
    policyDigest: '',
    models: [],
    inference: { requests: 0, errors: 0, denied: 0 },
    auditPendingEvents: 0,
  };
}
