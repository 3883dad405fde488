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
