import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalRequest {
  method: string;
  path: string;
  body: unknown;
  /** The application that called, when the API authenticates its callers (see LocalApiOptions.clients). */
  client?: string;
}
export interface LocalResponse {
  status: number;
  body: unknown;
}
export type LocalRoute = (request: LocalRequest) => LocalResponse | Promise<LocalResponse>;

const MAX_BODY_BYTES = 1024 * 1024;

/** Routes any caller may use without a token: liveness for the supervisor. */
const OPEN_ROUTES = new Set(['GET /healthz']);

export interface LocalApiOptions {
  /**
   * The factory's applications that may call, by name, with their bearer tokens. Given, every route
   * but GET /healthz needs one and the handler learns which application called (recorded with what
   * it asked); absent, any local caller is served (the API then listens on loopback only).
   */
  clients?: Readonly<Record<string, string>>;
}

/**
 * The agent's HTTP API for the factory's own applications. Routes are keyed by "METHOD /path"; it
 * answers whether or not the control plane is reachable.
 */
export class LocalApi {
  private readonly routes = new Map<string, LocalRoute>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  /** Application names by the sha256 of their tokens: compared as digests, never as the secrets themselves. */
  private readonly clients: Map<string, string> | undefined;

  constructor(options: LocalApiOptions = {}) {
    this.clients = options.clients ? new Map(Object.entries(options.clients).map(([name, token]) => [tokenDigest(token), name])) : undefined;
  }

  route(method: string, path: string, handler: LocalRoute): this {
    this.routes.set(`${method} ${path}`, handler);
    return this;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const handler = this.routes.get(`${req.method} ${path}`);
    if (!handler) {
      const known = [...this.routes.keys()].some((key) => key.endsWith(` ${path}`));
      return send(known ? 405 : 404, { error: known ? `method ${req.method} not allowed on ${path}` : `no route ${path}` });
    }
    const client = this.clients && !OPEN_ROUTES.has(`${req.method} ${path}`) ? this.clients.get(tokenDigest(bearerToken(req.headers.authorization))) : undefined;
    if (this.clients && !OPEN_ROUTES.has(`${req.method} ${path}`) && !client) {
      res.setHeader('www-authenticate', 'Bearer realm="meridian-agent"');
      return send(401, { error: 'this local API serves configured applications only: send "Authorization: Bearer <token>" with the token this node was given for your application' });
    }
    try {
      const body = await readJson(req);
      const response = await handler({ method: req.method ?? 'GET', path, body, ...(client ? { client } : {}) });
      send(response.status, response.body);
    } catch (error) {
      const status = error instanceof LocalApiError ? error.status : 500;
      send(status, { error: error instanceof LocalApiError ? error.message : 'internal error' });
    }
  }
}

export class LocalApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new LocalApiError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new LocalApiError(400, 'request body is not valid JSON');
  }
}

function bearerToken(header: string | undefined): string {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header ?? '');
  return match?.[1] ?? '';
}

function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
