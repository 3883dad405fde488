import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable, Prisma } from '@meridian/db';
import { problemType, titleFor, TooManyRequests, type ProblemBody } from './problem';

/** Every error leaves as application/problem+json (RFC 9457), with the request id to quote in a support ticket. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    problem.instance = request.originalUrl?.split('?')[0];
    if (request.id) problem.requestId = String(request.id);
    // A 503 is a backing service down for a moment, expected and answered with its reason: one line, not a stack per request.
    if (problem.status === 503) this.logger.warn({ requestId: problem.requestId, detail: problem.detail }, 'service unavailable');
    else if (problem.status >= 500) this.logger.error({ err: exception, requestId: problem.requestId }, 'unhandled error');
    if (response.headersSent) return;
    // 503s here are a backing service that is down for a moment (Redis, PostgreSQL): say when to come back.
    if (problem.status === 503) response.setHeader('retry-after', '5');
    if (exception instanceof TooManyRequests) response.setHeader('retry-after', String(exception.retryAfterSeconds));
    response.status(problem.status).type('application/problem+json').json(problem);
  }

  private toProblem(exception: unknown): ProblemBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'status' in body) return { ...(body as ProblemBody) };
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
      return { type: problemType(codeFor(status)), title: titleFor(status), status, detail, code: codeFor(status) };
    }
    // body-parser errors carry their HTTP status (413 too large, 400 malformed JSON, 415 charset).
    const parserError = exception as { status?: number; type?: string; message?: string };
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      const status = parserError.status;
      const detail =
        parserError.type === 'entity.too.large'
          ? 'request body is larger than the allowed limit'
          : parserError.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : (parserError.message ?? 'bad request');
      return { type: problemType(codeFor(status)), title: titleFor(status), status, detail, code: codeFor(status) };
    }
    if (exception instanceof Prisma.PrismaClientKnownRequestError) {
      if (exception.code === 'P2002') return this.simple(409, 'conflict', 'a resource with the same unique value already exists');
      if (exception.code === 'P2025') return this.simple(404, 'not-found', 'resource not found');
      if (exception.code === 'P2003') return this.simple(409, 'conflict', 'the resource is referenced by or refers to another resource');
    }
    if (isDatabaseUnavailable(exception)) return this.simple(503, 'unavailable', 'the database is unavailable; retry in a few seconds');
    return this.simple(500, 'internal', 'an unexpected error occurred');
  }

  private simple(status: number, code: string, detail: string): ProblemBody {
    return { type: problemType(code), title: titleFor(status), status, detail, code };
  }
}

function codeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'validation',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
    413: 'payload-too-large',
    415: 'unsupported-media-type',
    429: 'rate-limited',
    503: 'unavailable',
  };
  return codes[status] ?? (status >= 500 ? 'internal' : 'client-error');
}
