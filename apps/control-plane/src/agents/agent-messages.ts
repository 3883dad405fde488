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
/**
 * Cumulative inference counters since the agent started (uint64 on the wire). They feed the rollout
 * health gate, so only what can be true is accepted: exact integers (the gate subtracts them) and
 * errors and denials that are among the requests counted (the agent counts each of them as a request).
 */
const inferenceCounter = counter.max(Number.MAX_SAFE_INTEGER, `must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
const inferenceStatsSchema = z
  .object({ requests: inferenceCounter, errors: inferenceCounter, denied: inferenceCounter })
  .superRefine((stats, ctx) => {
    for (const field of ['errors', 'denied'] as const) {
      if (stats[field] > stats.requests) ctx.addIssue({ code: 'custom', path: [field], message: `must not exceed requests (${stats[field]} > ${stats.requests})` });
    }
  });

export const heartbeatRequestSchema = z.object({
  agentVersion: shortText(50),
  policyVersion: counter,
  policyDigest: z.string().regex(/^([0-9a-f]{64})?$/, 'must be a sha256 hex digest'),
  models: z.array(model).max(50),
  uptimeSeconds: counter,
  inference: inferenceStatsSchema.optional(),
  auditPendingEvents: counter,
});

/** Policy bundle versions are stored as PostgreSQL integer (int4): nothing above can name a bundle. */
export const MAX_POLICY_VERSION = 2_147_483_647;
/** A bundle digest as the control plane computes it (sha256Hex of the payload). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
const SHA256_MESSAGE = 'must be a sha256 hex digest (64 lowercase hex characters)';

/**
 * An acknowledgement of a policy bundle (AckPolicy, or an ack on the PolicyChannel). Applied ones
 * are written in batches together with other nodes' and tenants', so nothing may reach the query
 * that PostgreSQL would refuse (an out-of-range integer, a NUL in text). A refusal names the
 * bundle's digest when it has one and carries the agent's reason, stored as the node's policy error.
 */
export const policyAckSchema = z
  .object({
    version: z.number().int().min(0).max(MAX_POLICY_VERSION, `must be an integer from 0 to ${MAX_POLICY_VERSION}`),
    digest: z.string(),
    applied: z.boolean(),
    error: z.string().max(500).refine((error) => !error.includes('\u0000'), 'must not contain NUL characters'),
  })
  .superRefine((ack, ctx) => {
    if (ack.applied ? !SHA256_HEX.test(ack.digest) : ack.digest !== '' && !SHA256_HEX.test(ack.digest)) {
      ctx.addIssue({ code: 'custom', path: ['digest'], message: ack.applied ? SHA256_MESSAGE : `must be empty or ${SHA256_MESSAGE.replace('must be ', '')}` });
    }
  });

export function validateMessage<T>(schema: z.ZodType<T>, message: unknown): T {
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidArgument(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
}
