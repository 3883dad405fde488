import { HttpException, HttpStatus } from '@nestjs/common';
import { wholeSecondsToWait } from '../redis/token-bucket';

/** One field-level problem: `path` is the JSON path of the offending input ("labels.line", "items[2].name"). */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  requestId?: string;
  code?: string;
}

const PROBLEM_BASE = 'https://meridian.dev/problems/';

/**
 * An RFC 9457 problem. Services throw these (or Nest's HttpExceptions, which the filter maps);
 * `code` is a stable machine-readable reason clients may switch on.
 */
export class ProblemException extends HttpException {
  constructor(status: HttpStatus, code: string, detail: string, errors?: FieldError[]) {
    super({ type: `${PROBLEM_BASE}${code}`, title: titleFor(status), status, detail, code, ...(errors ? { errors } : {}) }, status);
  }
}

/** 429 with a Retry-After header (whole seconds, at least 1), set by the problem filter. */
export class TooManyRequests extends ProblemException {
  readonly retryAfterSeconds: number;

  constructor(detail: string, waitMs: number) {
    super(HttpStatus.TOO_MANY_REQUESTS, 'rate-limited', detail);
    this.retryAfterSeconds = wholeSecondsToWait(waitMs);
  }
}

export const notFound = (what: string) => new ProblemException(HttpStatus.NOT_FOUND, 'not-found', `${what} not found`);
export const conflict = (detail: string) => new ProblemException(HttpStatus.CONFLICT, 'conflict', detail);
export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemException(HttpStatus.BAD_REQUEST, 'validation', detail, errors);
export const forbidden = (detail: string) => new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', detail);
export const unauthorized = (detail: string) => new ProblemException(HttpStatus.UNAUTHORIZED, 'unauthorized', detail);

export function titleFor(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return titles[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export function problemType(code: string): string {
  return `${PROBLEM_BASE}${code}`;
}
