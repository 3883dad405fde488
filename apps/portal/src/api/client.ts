import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import type { Problem, Session } from './types';

/** A failed API call, carrying the problem+json body (field errors included) for the page to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `request failed (HTTP ${status})`);
    this.name = 'ApiError';
  }
}

/** The current session's tokens; the session provider keeps it and the client reads it on every request. */
export interface TokenSource {
  accessToken(): Promise<string | undefined>;
  /** The API refused this token (401): drop the session if it is still the current one. */
  expired(token: string): void;
}

let tokens: TokenSource = { accessToken: async () => undefined, expired: () => undefined };
export function setTokenSource(source: TokenSource): void {
  tokens = source;
}

const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (schemaPath === '/v1/auth/login' || schemaPath === '/v1/auth/refresh') return request;
    const token = await tokens.accessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response, schemaPath }) {
    const sent = request.headers.get('authorization')?.replace(/^Bearer /, '');
    if (response.status === 401 && sent && schemaPath !== '/v1/auth/login') tokens.expired(sent);
    return response;
  },
};

/** The typed client: paths, parameters, bodies and responses all come from the control plane's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });
api.use(auth);

/** The problem details of a failed call (or a stand-in for a network error), for ProblemDetails. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError && error.problem) return error.problem;
  return { type: 'about:blank', title: 'Error', status: error instanceof ApiError ? error.status : 0, detail: error instanceof Error ? error.message : String(error) };
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the problem details. */
export async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw new ApiError(response.status, (error ?? undefined) as Problem | undefined);
  return data as T;
}

/** Fresh tokens for a refresh token (used by the session provider before the access token lapses). */
export function refreshSession(refreshToken: string): Promise<Session> {
  return call(api.POST('/v1/auth/refresh', { body: { refreshToken } }));
}

/** What was thrown, as an Error for ErrorMessage (a non-Error value becomes its text). */
export function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}
