/**
 * The request as the request log shows it, without a download link's token (in the URL and in the
 * parsed query): it opens an export, once, for a minute, and has no business in a log.
 */
export function withoutLinkToken<T extends { url?: string; query?: Record<string, unknown> }>(request: T): T {
  if (!request.url?.includes('token=')) return request;
  return { ...request, url: request.url.replace(/([?&]token=)[^&#]*/g, '$1[Redacted]'), ...(request.query && 'token' in request.query ? { query: { ...request.query, token: '[Redacted]' } } : {}) };
}
