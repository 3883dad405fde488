/** A refusal or failure to reach the control plane, said in the words a person at a terminal needs. */
export class ControlPlaneError extends Error {}

interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** The control plane's REST API with an API key (sent as x-api-key), for CLI commands that talk to it. */
export class ControlPlane {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  request<T>(method: string, path: string, body?: unknown, options?: { headers?: Record<string, string> }): Promise<T>;
  request<T>(method: string, path: string, body: unknown, options: { notFound: 'absent'; headers?: Record<string, string> }): Promise<T | undefined>;
  async request<T>(method: string, path: string, body?: unknown, options: { notFound?: 'absent'; headers?: Record<string, string> } = {}): Promise<T | undefined> {
    const stream = body instanceof ReadableStream;
    const headers: Record<string, string> = { 'x-api-key': this.apiKey, accept: 'application/json', ...(body !== undefined && !stream ? { 'content-type': 'application/json' } : {}), ...options.headers };
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: stream ? body : JSON.stringify(body) }),
        ...(stream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ControlPlaneError(`cannot reach the control plane at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
    const text = await response.text();
    if (response.status === 404 && options.notFound === 'absent') return undefined;
    if (!response.ok) throw new ControlPlaneError(describeRefusal(method, path, response.status, text));
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** "PUT /v1/models/…: 400 1 invalid field; card.task: must be one of …" from a problem+json answer (or its raw text). */
export function describeRefusal(method: string, path: string, status: number, text: string): string {
  let problem: Problem | undefined;
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    problem = undefined;
  }
  const reason = problem?.detail ?? problem?.title ?? (text.trim().slice(0, 200) || 'no reason given');
  const fields = (problem?.errors ?? []).map((error) => `\n  ${error.path}: ${error.message}`).join('');
  const hint = status === 401 ? ' (is MERIDIAN_API_KEY a valid, unrevoked key?)' : status === 403 ? ' (the key acts in a role that may not do this: vendor engineers and admins may)' : '';
  return `${method} ${path} answered ${status}: ${reason}${hint}${fields}`;
}
