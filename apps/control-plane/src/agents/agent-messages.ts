import { z } from 'zod';
import { isWeakEd25519PublicKey } from '@meridian/crypto';
import { invalidArgument } from './agent-rpc-error';

/**
 * What arrives from agents is validated like an HTTP body: protobuf only guarantees types, not
 * sizes, formats or sane values. A failure names the field.
 */
const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;
const bytes = (length: number) => z.instanceof(Uint8Array).refine((value) => value.length === length, `must be ${length} bytes`);
const shortText = (max: number) => z.string().max(max);

export const enrollRequestSchema = z.object({
  enrollmentToken: z.string().regex(/^me_[A-Za-z0-9_-]{43}$/, 'is not an enrollment token'),
  publicKey: bytes(32).refine((key) => !isWeakEd25519PublicKey(key), 'is not a usable Ed25519 public key (small order or non-canonical)'),
  nodeName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, dots, dashes or underscores'),
  agentVersion: shortText(50),
  labels: z
    .record(z.string().regex(LABEL_KEY, 'label keys look like "line" or "zone/a"'), z.string().max(63))
    .refine((labels) => Object.keys(labels).length <= 32, 'at most 32 labels'),
  proof: bytes(64),
});

const model = z.object({ modelId: shortText(100), version: shortText(50), state: shortText(30) });
const counter = z.number().int().nonnegative();

export const heartbeatRequestSchema = z.object({
  agentVersion: shortText(50),
  policyVersion: counter,
  policyDigest: z.string().regex(/^([0-9a-f]{64})?$/, 'must be a sha256 hex digest'),
  models: z.array(model).max(50),
  uptimeSeconds: counter,
  inference: z.object({ requests: counter, errors: counter, denied: counter }).optional(),
  auditPendingEvents: counter,
});

export function validateMessage<T>(schema: z.ZodType<T>, message: unknown): T {
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidArgument(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
}
