/** Limits both sides agree on. A message over the limit is refused with RESOURCE_EXHAUSTED. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Artifact chunks stay well under the message limit. */
export const ARTIFACT_CHUNK_BYTES = 256 * 1024;
/** Records in one UploadAudit batch, at most (a larger batch is refused with INVALID_ARGUMENT). */
export const MAX_AUDIT_BATCH = 1_000;
export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 10;
/** Requests signed further than this from the server's clock are refused (and nonces are remembered this long). */
export const MAX_CLOCK_SKEW_MS = 60_000;
export const AGENT_SERVICE_PATH = '/meridian.agent.v1.AgentService';
/**
 * Trailers of an UploadAudit refusal (FAILED_PRECONDITION) that asks the node to send its records
 * again after this stored head (seq and hex hash): the control plane's store lost records it had
 * acknowledged. Asked once per head; a node that does not resend them is flagged.
 */
export const AUDIT_RESUME_AFTER_SEQ = 'audit-resume-after-seq';
export const AUDIT_RESUME_AFTER_HASH = 'audit-resume-after-hash';
