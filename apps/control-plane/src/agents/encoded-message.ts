import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * A response message encoded once for many streams. A publish writes the same bundle to every
 * stream of a site: grpc-js would otherwise encode it again for each (protobuf encoding, two copies
 * and the garbage of a bundle-sized buffer per agent).
 */
export class EncodedMessage {
  constructor(readonly bytes: Buffer) {}
}

/** Encodes a message once, with the same encoder the service definition uses. */
export function encodeOnce<T>(serialize: (value: T) => Buffer, message: T): EncodedMessage {
  return new EncodedMessage(serialize(message));
}

/**
 * The service definition, with the named methods' response serializers passing an
 * `EncodedMessage` through as its bytes (any other value is encoded as before).
 */
export function acceptingEncoded<S extends ServiceDefinition>(service: S, methods: readonly (keyof S)[]): S {
  const out = { ...service };
  for (const method of methods) {
    const definition = service[method]!;
    const serialize = definition.responseSerialize;
    out[method] = { ...definition, responseSerialize: (value: unknown) => (value instanceof EncodedMessage ? value.bytes : serialize(value)) };
  }
  return out;
}
