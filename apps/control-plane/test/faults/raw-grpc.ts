import http2 from 'node:http2';
import net from 'node:net';

/**
 * gRPC spoken by hand over HTTP/2, for abuse tests: any bytes in the frame, any source address on
 * loopback (a second "peer" is 127.0.0.2), one connection reused for many calls.
 */
export interface RawGrpcConnection {
  /** Sends one request body (already framed, or framed here when `frame` is true) and returns the gRPC status the server ended with. */
  call(path: string, body: Buffer, options?: { frame?: boolean; headers?: Record<string, string> }): Promise<RawGrpcResult>;
  /** Opens a call and never reads or ends it: a slow client. */
  hold(path: string, body: Buffer): http2.ClientHttp2Stream;
  close(): void;
}

export interface RawGrpcResult {
  httpStatus: number;
  grpcStatus: number | undefined;
  message: string;
  retryAfterMs: string | undefined;
}

export function frameMessage(message: Buffer): Buffer {
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt8(0, 0);
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

export function connectRaw(target: string, localAddress = '127.0.0.1'): RawGrpcConnection {
  const [host, port] = target.split(':') as [string, string];
  const session = http2.connect(`http://${target}`, { createConnection: () => net.connect({ host, port: Number(port), localAddress }) });
  session.on('error', () => undefined);
  const headers = (path: string, extra: Record<string, string> = {}) => ({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...extra,
  });
  return {
    call(path, body, options = {}) {
      return new Promise((resolve, reject) => {
        const stream = session.request(headers(path, options.headers));
        const result: RawGrpcResult = { httpStatus: 0, grpcStatus: undefined, message: '', retryAfterMs: undefined };
        const read = (h: http2.IncomingHttpHeaders) => {
          if (h['grpc-status'] !== undefined) result.grpcStatus = Number(h['grpc-status']);
          if (h['grpc-message'] !== undefined) result.message = decodeURIComponent(String(h['grpc-message']));
          if (h['retry-after-ms'] !== undefined) result.retryAfterMs = String(h['retry-after-ms']);
        };
        stream.on('response', (h) => {
          result.httpStatus = Number(h[':status']);
          read(h);
        });
        stream.on('trailers', read);
        stream.on('data', () => undefined);
        stream.on('close', () => resolve(result));
        stream.on('error', reject);
        stream.end(options.frame === false ? body : frameMessage(body));
      });
    },
    hold(path, body) {
      const stream = session.request(headers(path));
      stream.on('error', () => undefined);
      stream.write(frameMessage(body));
      stream.pause();
      return stream;
    },
    close() {
      session.destroy();
    },
  };
}
