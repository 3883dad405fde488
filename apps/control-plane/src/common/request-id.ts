import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * First middleware of the app, ahead of body parsing, so even a request refused for its body has an
 * id in the log and in the problem. A caller's (proxy's) id is kept when it is sane.
 */
export function requestIdMiddleware(request: Request & { id?: string }, response: Response, next: NextFunction): void {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  request.id = id;
  response.setHeader('x-request-id', id);
  next();
}
