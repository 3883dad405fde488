import { status as GrpcStatus, type ServiceError, Metadata } from '@grpc/grpc-js';
import { isDatabaseUnavailable } from '@meridian/db';

/** A refusal to send to an agent: a gRPC status code plus a message an operator can act on. */
export class AgentRpcError extends Error {
  /** Trailers sent with the status (e.g. a retry hint). */
  metadata: Metadata | undefined;

  constructor(
    readonly code: GrpcStatus,
    message: string,
    trailers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AgentRpcError';
    if (trailers) {
      this.metadata = new Metadata();
      for (const [key, value] of Object.entries(trailers)) this.metadata.set(key, value);
    }
  }
}

export const unauthenticated = (message: string) => new AgentRpcError(GrpcStatus.UNAUTHENTICATED, message);
export const permissionDenied = (message: string) => new AgentRpcError(GrpcStatus.PERMISSION_DENIED, message);
export const invalidArgument = (message: string) => new AgentRpcError(GrpcStatus.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new AgentRpcError(GrpcStatus.NOT_FOUND, message);

const DATABASE_UNAVAILABLE = "the control plane's database is unavailable; retry in a few seconds";

export function toServiceError(error: unknown): Partial<ServiceError> & { code: GrpcStatus; details: string } {
  if (error instanceof AgentRpcError) return { code: error.code, details: error.message, metadata: error.metadata ?? new Metadata() };
  // Retryable, and said so: agents back off and try again (their journal keeps what they could not upload).
  if (isDatabaseUnavailable(error)) return { code: GrpcStatus.UNAVAILABLE, details: DATABASE_UNAVAILABLE, metadata: new Metadata() };
  return { code: GrpcStatus.INTERNAL, details: 'internal error', metadata: new Metadata() };
}
