import { status as GrpcStatus } from '@grpc/grpc-js';
import { AgentRpcError } from './agent-rpc-error';

/** The trailer on RESOURCE_EXHAUSTED refusals of a rate limit: milliseconds until a retry can pass. */
export const RETRY_AFTER_METADATA = 'retry-after-ms';

/** RESOURCE_EXHAUSTED with the retry hint in a `retry-after-ms` trailer (at least 1). */
export function rateLimited(message: string, waitMs: number): AgentRpcError {
  return new AgentRpcError(GrpcStatus.RESOURCE_EXHAUSTED, message, { [RETRY_AFTER_METADATA]: String(Math.max(1, waitMs)) });
}
