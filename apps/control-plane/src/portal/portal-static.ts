import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Paths the portal never answers, so a deep link can not shadow the API, probes, metrics or docs. */
export const RESERVED_PREFIXES = ['/v1', '/healthz', '/readyz', '/metrics', '/docs', '/openapi.json', '/admin'] as const;

export function isReservedPath(urlPath: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`) || urlPath.startsWith(`${prefix}?`));
}

/**
 * Security headers of every file the portal serves. The portal loads only its own bundled script and
 * stylesheet (no inline script or style, no eval) and calls only its own origin, so the policy allows
 * nothing else: script injected through data shown on a page would not run. No other site may frame
 * it (clickjacking), browsers must not sniff types, and no URL leaves in a Referer header.
 */
export const PORTAL_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Where the built portal is: PORTAL_DIR, else apps/portal/dist next to this app (src/ in tests, dist/ in production). */
export function resolvePortalDir(configured: string | undefined): string {
  return configured ? path.resolve(configured) : path.resolve(__dirname, '../../../portal/dist');
}

/**
 * Serves the tenant portal: its files, and index.html for any other GET a browser navigates to
 * (client-side routes such as /sites/<id>). Fingerprinted assets are cached for good; index.html
 * never, so a deploy is picked up on the next load. Each file goes with PORTAL_SECURITY_HEADERS (a request
 * the portal passes on, to the API or a 404, gets none). Does nothing when the portal was not built.
 */
export function mountPortal(app: NestExpressApplication, dir: string): boolean {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) return false;
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isReservedPath(request.path)) return next();
    const asset = request.path.startsWith('/assets/');
    let relative: string;
    try {
      relative = request.path === '/' ? 'index.html' : decodeURIComponent(request.path).replace(/^\/+/, '');
    } catch {
      return next(); // malformed percent-encoding: not a portal path
    }
    response.sendFile(relative, { root: dir, dotfiles: 'deny', maxAge: asset ? '365d' : 0, immutable: asset, headers: PORTAL_SECURITY_HEADERS }, (error?: Error & { status?: number }) => {
      if (!error) return;
      if (response.headersSent) return next(error);
      // A missing file with an extension is a 404 (a broken asset link must not get HTML back).
      if (asset || path.extname(request.path) !== '' || !request.accepts('html')) return next();
      response.setHeader('cache-control', 'no-cache');
      response.sendFile(index, { headers: PORTAL_SECURITY_HEADERS }, (fallbackError?: Error) => fallbackError && next(fallbackError));
    });
  });
  return true;
}
