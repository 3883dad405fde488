/**
 * Queue and job names with their payload and result types: the contract between producers
 * (the API) and processors (the worker). Every payload carries tenantId when it acts on a tenant.
 */
export const QUEUES = {
  housekeeping: 'housekeeping',
  governance: 'governance',
  audit: 'audit',
  rollouts: 'rollouts',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const HOUSEKEEPING_JOBS = {
  expireEnrollmentTokens: 'expire-enrollment-tokens',
} as const;
export type HousekeepingJobName = (typeof HOUSEKEEPING_JOBS)[keyof typeof HOUSEKEEPING_JOBS];

/** W3C trace context of the request that queued a job, so its trace continues in the worker. */
export interface TracedPayload {
  trace?: Record<string, string>;
}

export interface ExpireEnrollmentTokensPayload extends TracedPayload {
  tenantId: string;
  requestedBy: string;
}
export interface ExpireEnrollmentTokensResult {
  expired: number;
  checkedAt: string;
}

export const GOVERNANCE_JOBS = {
  compileBundles: 'compile-bundles',
  /** Scheduled: compiles the releases still pending a while after they were made (their job lost). */
  compilePending: 'compile-pending',
} as const;
export type GovernanceJobName = (typeof GOVERNANCE_JOBS)[keyof typeof GOVERNANCE_JOBS];

/** Compile (and sign, and announce) the bundles of a tenant's sites: all of them, or those listed. */
export interface CompileBundlesPayload extends TracedPayload {
  tenantId: string;
  siteIds?: string[];
  reason: string;
  requestedBy: string;
}
export interface CompileBundlesResult {
  sites: number;
  published: { siteId: string; version: number }[];
}

export const AUDIT_JOBS = {
  checkpoint: 'checkpoint',
  export: 'export',
  verify: 'verify',
} as const;
/** Without tenantId: every tenant with events not yet in its log (the periodic run). */
export interface CheckpointPayload extends TracedPayload {
  tenantId?: string;
  requestedBy?: string;
}
export interface CheckpointResult {
  checkpoints: { tenantId: string; treeSize: number; rootHash: string }[];
}

/** Re-verify the tenant's whole log from the stored rows: GET /v1/audit/verify as a job, for logs too large for one request. */
export interface AuditVerifyPayload extends TracedPayload {
  tenantId: string;
  requestedBy: string;
}

/** Build the auditor's bundle recorded as audit_exports row exportId. */
export interface AuditExportPayload extends TracedPayload {
  tenantId: string;
  exportId: string;
  requestedBy: string;
}
export interface AuditExportResult {
  exportId: string;
  treeSize: number;
  events: number;
  sha256: string;
  sizeBytes: number;
}

/** Redis pub/sub channel (under the queue prefix) on which new bundles are announced to every API replica. */
export const POLICY_BUNDLE_CHANNEL = 'events:policy-bundle';
export interface PolicyBundleEvent {
  tenantId: string;
  siteId: string;
  version: number;
}

/** Retry policy shared by every producer: transient failures (database restart) retry with backoff. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  // Failed jobs stay (the dead-letter view) until an operator looks at them.
  removeOnFail: false,
} as const;

/** One job per export, named after it: queuing the same export again (a retried request, the worker's sweep) is a no-op while its job exists. */
export function auditExportJobOptions(exportId: string) {
  return { ...DEFAULT_JOB_OPTIONS, attempts: 3, jobId: `export-${exportId}` };
}

export const ROLLOUT_JOBS = {
  /** Advances one rollout (on start and resume, so nobody waits for the sweep). */
  tick: 'rollout-tick',
  /** Periodic: advances every rollout in progress of every tenant. */
  sweep: 'rollout-sweep',
} as const;
export type RolloutJobName = (typeof ROLLOUT_JOBS)[keyof typeof ROLLOUT_JOBS];
export interface RolloutTickPayload extends TracedPayload {
  tenantId: string;
  rolloutId: string;
  reason: string;
}
export interface RolloutTickResult {
  rollouts: { rolloutId: string; step: string }[];
}

/** Redis pub/sub channel (under the queue prefix): these nodes' desired model state changed; push it. */
export const DESIRED_STATE_CHANNEL = 'events:desired-state';
export interface DesiredStateEvent {
  tenantId: string;
  nodeIds: string[];
}
/** Node ids per desired-state event, so one change to 10,000 nodes is a handful of messages. */
export const DESIRED_STATE_EVENT_CHUNK = 1000;
