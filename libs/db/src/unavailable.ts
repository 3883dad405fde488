/**
 * Whether an error means the database could not be reached or dropped the connection — a crash, a
 * failover, a restart, a server still recovering or out of connections — as opposed to a statement
 * that failed on its merits. Such errors are worth retrying after a pause, and callers are told
 * "unavailable" (HTTP 503, gRPC UNAVAILABLE) instead of an internal error.
 *
 * They arrive in three shapes: from Prisma with the driver adapter's verdict in
 * `meta.driverAdapterError.cause` (or a P1xxx connection code), from `pg` directly (a pooled
 * connection that died while idle: "Connection terminated unexpectedly"; a socket error; a server
 * error with an SQLSTATE), and wrapped as the `cause` of another error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    if (unavailableByItself(current as ErrorLike)) return true;
    current = (current as ErrorLike).cause;
  }
  return false;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
  cause?: unknown;
}

/** Prisma's connection errors: can't reach, timed out reaching, server closed the connection. */
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1017']);
/** The driver adapter's kinds for a server that is not there (as opposed to one that refuses the request). */
const ADAPTER_UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
/** pg's own messages when a connection ends under it or cannot be had in time. */
const DRIVER_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error and is not queryable/, /^Connection ended unexpectedly/];

function unavailableByItself(error: ErrorLike): boolean {
  const cause = error.meta?.driverAdapterError?.cause;
  if (cause) {
    if (typeof cause.kind === 'string' && ADAPTER_UNAVAILABLE_KINDS.has(cause.kind)) return true;
    if (cause.kind === 'postgres' && typeof cause.code === 'string' && unavailableSqlState(cause.code)) return true;
  }
  if (typeof error.code === 'string') {
    if (PRISMA_CONNECTION_CODES.has(error.code) || SOCKET_CODES.has(error.code) || unavailableSqlState(error.code)) return true;
  }
  return typeof error.message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(error.message as string));
}

/**
 * SQLSTATEs of a server going away or not there yet: class 08 (connection exception), 57P01–57P03
 * (administrator/crash shutdown, "the database system is starting up"), 53300 (too many connections).
 */
function unavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}
