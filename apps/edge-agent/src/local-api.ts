import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalRequest {
  method: string;
  path: string;
  body: unknown;
}
export interface LocalResponse {
  status: number;
  body: unknown;
}
export type LocalRoute = (request: LocalRequest) => LocalResponse | Promise<LocalResponse>;

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The agent's HTTP API for the factory's own applications, on 127.0.0.1 only. Routes are keyed by
 * "METHOD /path"; it answers whether or not the control plane is reachable.
 */
export class LocalApi {
  private readonly routes = new Map<string, LocalRoute>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  route(method: string, path: string, handler: LocalRoute): this {
    this.routes.set(`${method} ${path}`, handler);
    return this;
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
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
    try {
      const body = await readJson(req);
      const response = await handler({ method: req.method ?? 'GET', path, body });
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
