import type { ServiceDefinition } from '@grpc/grpc-js';
import { requestBodyDigest } from '@meridian/protocol';

/** The digest of the bytes each request message was decoded from, by message object. */
const received = new WeakMap<object, string>();

/**
 * The service definition, with the request deserializer of every method that takes one request
 * message (unary and server-streaming calls) remembering the sha256 of the bytes it decoded: what
 * the node's signature covers (libs/protocol signCall), checked by AgentAuthService.
 */
export function recordingRequestDigests<S extends ServiceDefinition>(service: S): S {
  const out = { ...service };
  for (const method of Object.keys(service) as (keyof S)[]) {
    const definition = service[method]!;
    if (definition.requestStream) continue;
    const deserialize = definition.requestDeserialize;
    out[method] = {
      ...definition,
      requestDeserialize: (bytes: Buffer) => {
        const message = deserialize(bytes);
        if (typeof message === 'object' && message !== null) received.set(message, requestBodyDigest(bytes));
        return message;
      },
    };
  }
  return out;
}

/** The digest of the bytes `request` was decoded from; undefined for anything the server did not decode. */
export function receivedDigestOf(request: unknown): string | undefined {
  return typeof request === 'object' && request !== null ? received.get(request) : undefined;
}
