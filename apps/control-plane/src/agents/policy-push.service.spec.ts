import { status as GrpcStatus } from '@grpc/grpc-js';
import type { PolicyAck } from '@meridian/protocol';
import { describe, expect, it } from 'vitest';
import { MetricsService } from '../ops/metrics.service';
import type { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { policyAckSchema, validateMessage } from './agent-messages';
import { AgentRpcError } from './agent-rpc-error';
import type { NodeEventsService } from './node-events.service';
import { PolicyPushService } from './policy-push.service';
import type { StreamRegistry } from './stream-registry';

const DIGEST = 'ab'.repeat(32);
const ack = (overrides: Partial<PolicyAck> = {}): PolicyAck => ({ version: 1, digest: DIGEST, applied: true, error: '', ...overrides });
const node = (tenantId: string, n: number): NodeIdentity => ({ tenantId, siteId: `${tenantId}-site`, nodeId: `${tenantId}-node-${n}`, siteCountry: 'ID' });

/** A database whose transactions fail for the tenants named, and find every acknowledged bundle otherwise. */
function fakeDb(failing: Set<string>) {
  const updated: string[] = [];
  const db = {
    run: async (context: { tenantId: string }, work: (tx: unknown) => Promise<unknown>) => {
      const tx = {
        policyBundle: {
          findMany: async ({ where }: { where: { OR: { siteId: string; version: number; digest: string }[] } }) => where.OR,
        },
        $executeRaw: async () => {
          if (failing.has(context.tenantId)) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
          updated.push(context.tenantId);
          return 1;
        },
      };
      return work(tx);
    },
  };
  return { db: db as unknown as TenantPrisma, updated };
}

const service = (db: TenantPrisma) => new PolicyPushService(db, {} as StreamRegistry, {} as NodeEventsService, new MetricsService());

async function refusal(promise: Promise<unknown>): Promise<AgentRpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentRpcError);
  return error as AgentRpcError;
}

describe('policy acknowledgements', () => {
  it('accept what agents send: an applied bundle by version and sha256 digest, a refusal with or without digest', () => {
    expect(validateMessage(policyAckSchema, ack())).toEqual(ack());
    expect(validateMessage(policyAckSchema, ack({ version: 2_147_483_647 }))).toMatchObject({ version: 2_147_483_647 });
    expect(validateMessage(policyAckSchema, ack({ applied: false, error: 'signature does not verify' }))).toMatchObject({ applied: false });
    expect(validateMessage(policyAckSchema, ack({ applied: false, digest: '', error: 'nope' }))).toMatchObject({ digest: '' });
  });

  it.each([
    ['a version beyond int4', ack({ version: 2 ** 31 }), /^version:/],
    ['a negative version', ack({ version: -1 }), /^version:/],
    ['a fractional version', ack({ version: 1.5 }), /^version:/],
    ['an applied digest with NUL', ack({ digest: 'a\u0000' }), /^digest: must be a sha256/],
    ['an applied digest that is empty', ack({ digest: '' }), /^digest: must be a sha256/],
    ['an applied digest in upper case', ack({ digest: DIGEST.toUpperCase() }), /^digest: must be a sha256/],
    ['a refusal digest that is not sha256', ack({ applied: false, digest: 'x'.repeat(64), error: 'bad' }), /^digest: must be empty or a sha256/],
    ['an error with NUL', ack({ applied: false, error: 'bad\u0000' }), /^error: must not contain NUL/],
    ['an error too long', ack({ applied: false, error: 'x'.repeat(501) }), /^error:/],
  ])('refuse %s with INVALID_ARGUMENT, before any database access', async (_name, malformed, message) => {
    let touched = false;
    const db = { run: async () => (touched = true) } as unknown as TenantPrisma;
    const error = await refusal(service(db).acknowledge(node('t1', 1), malformed));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toMatch(message);
    expect(touched).toBe(false);
  });

  it('a tenant whose batch fails fails only its own acknowledgements, not those batched with it', async () => {
    const { db, updated } = fakeDb(new Set(['bad']));
    const push = service(db);
    const results = await Promise.allSettled([push.acknowledge(node('good', 1), ack()), push.acknowledge(node('bad', 1), ack()), push.acknowledge(node('good', 2), ack()), push.acknowledge(node('other', 1), ack())]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(updated.sort()).toEqual(['good', 'other']);
  });
});
