import type { NextFunction, Request, Response } from 'express';

/**
 * Headers every response carries, the API's JSON and the pages under /docs and /admin/queues alike:
 * browsers must not sniff a type other than the one declared, no other site may frame a page of
 * ours (clickjacking), and no URL leaves in a Referer header. The portal's files add their
 * Content-Security-Policy on top (portal/portal-static.ts).
 */
export function securityHeadersMiddleware(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('referrer-policy', 'no-referrer');
  next();
}
