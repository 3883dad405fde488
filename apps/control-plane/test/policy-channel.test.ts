import { status as GrpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyChannelRequest, PolicyUpdate } from '@meridian/protocol';
import { startStack, waitFor, type TestStack } from '../../edge-agent/test/stack';
import { streamEnd, TestAgent } from './agent-client';

/**
 * PolicyChannel against a real control plane and worker: bundles out, acknowledgements back on the
 * same authenticated stream, and clear refusals of anything out of order.
 */
describe('policy channel', () => {
  let stack: TestStack;
  const agents: TestAgent[] = [];

  const enrolled = async (country = 'ID') => {
    const token = await stack.api('POST', '/v1/enrollment-tokens', { siteId: stack.siteIds[country] });
    expect(token.status).toBe(201);
    const agent = new TestAgent(`127.0.0.1:${stack.grpcPort}`);
    agents.push(agent);
    await agent.enroll(token.body.token);
    return agent;
  };
  const received = (channel: ClientDuplexStream<PolicyChannelRequest, PolicyUpdate>) => {
    const updates: PolicyUpdate[] = [];
    channel.on('data', (update: PolicyUpdate) => updates.push(update));
    channel.on('error', () => undefined);
    return updates;
  };
  const storedNode = (nodeId: string) => stack.owner.edgeNode.findUniqueOrThrow({ where: { id: nodeId }, select: { appliedPolicyVersion: true, appliedPolicyDigest: true, policyError: true } });
  const openStreams = async () => Number((await (await fetch(`http://127.0.0.1:${stack.httpPort}/metrics`)).text()).match(/meridian_agent_streams\{stream="policy"\} (\d+)/)?.[1] ?? 0);

  beforeAll(async () => {
    stack = await startStack('policy-channel', { worker: true });
  }, 120_000);
  afterAll(async () => {
    for (const agent of agents) agent.close();
    await stack?.close();
  });

  it('pushes a published bundle and records the acknowledgement sent on the same stream', async () => {
    const agent = await enrolled();
    const before = await openStreams();
    const channel = agent.policyChannel();
    const updates = received(channel);
    await waitFor(async () => (await openStreams()) > before, 5_000);
    expect((await stack.api('POST', '/v1/policies/publish', { countries: ['ID'] })).status).toBe(202);
    await waitFor(async () => updates.length > 0, 15_000);
    const bundle = updates[0]!.bundle!;
    expect(bundle.version).toBeGreaterThanOrEqual(1);
    expect(bundle.digest).toMatch(/^[0-9a-f]{64}$/);
    expect((await storedNode(agent.nodeId)).appliedPolicyVersion).toBeNull();

    channel.write({ ack: { version: bundle.version, digest: bundle.digest, applied: true, error: '' } });
    await waitFor(async () => (await storedNode(agent.nodeId)).appliedPolicyVersion === bundle.version, 5_000);
    expect(await storedNode(agent.nodeId)).toMatchObject({ appliedPolicyDigest: bundle.digest, policyError: null });

    // a refusal travels the same way, and the stream is still open after both
    channel.write({ ack: { version: bundle.version + 1, digest: 'a'.repeat(64), applied: false, error: 'signature does not verify' } });
    await waitFor(async () => (await storedNode(agent.nodeId)).policyError === 'signature does not verify', 5_000);
    expect(channel.destroyed).toBe(false);
    channel.cancel();

    // reconnecting: the hello says what the node holds, and only newer bundles come
    const current = agent.policyChannel({ hello: { currentVersion: bundle.version, currentDigest: '' } });
    const none = received(current);
    const stale = agent.policyChannel({ hello: { currentVersion: 0, currentDigest: '' } });
    const catchUp = received(stale);
    await waitFor(async () => catchUp.length > 0, 5_000);
    expect(catchUp.map((u) => u.bundle!.version)).toEqual([bundle.version]);
    expect(none).toEqual([]);
    current.cancel();
    stale.cancel();
  });

  it('records the bundle a hello names, so an acknowledgement lost with a broken stream is made good on reconnect', async () => {
    const agent = await enrolled();
    const first = agent.policyChannel();
    const updates = received(first);
    await waitFor(async () => updates.length > 0, 5_000);
    const bundle = updates.at(-1)!.bundle!;
    // the stream breaks before the node's acknowledgement is sent
    first.cancel();
    expect((await storedNode(agent.nodeId)).appliedPolicyVersion).toBeNull();

    // a hello naming a bundle the site does not have records nothing, and the stream is served all the same
    const bogus = agent.policyChannel({ hello: { currentVersion: bundle.version, currentDigest: 'e'.repeat(64) } });
    const bogusEnd = streamEnd(bogus);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await storedNode(agent.nodeId)).appliedPolicyVersion).toBeNull();
    bogus.cancel();
    expect((await bogusEnd).code).toBe(GrpcStatus.CANCELLED);

    const reconnected = agent.policyChannel({ hello: { currentVersion: bundle.version, currentDigest: bundle.digest } });
    received(reconnected);
    await waitFor(async () => (await storedNode(agent.nodeId)).appliedPolicyVersion === bundle.version, 5_000);
    const recorded = await stack.owner.edgeNode.findUniqueOrThrow({ where: { id: agent.nodeId }, select: { appliedPolicyDigest: true, policyAppliedAt: true } });
    expect(recorded.appliedPolicyDigest).toBe(bundle.digest);
    reconnected.cancel();

    // saying the same again changes nothing: the time it was applied stays
    const again = agent.policyChannel({ hello: { currentVersion: bundle.version, currentDigest: bundle.digest } });
    received(again);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stack.owner.edgeNode.findUniqueOrThrow({ where: { id: agent.nodeId }, select: { policyAppliedAt: true } })).policyAppliedAt).toEqual(recorded.policyAppliedAt);
    again.cancel();

    const malformed = agent.policyChannel({ hello: { currentVersion: 1, currentDigest: 'not-a-digest' } });
    const end = await streamEnd(malformed);
    expect(end.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(end.details).toMatch(/current_digest/);
  });

  it('refuses messages out of order, unknown bundles and unsigned opens with a clear status', async () => {
    const agent = await enrolled();

    const ackFirst = agent.policyChannel({ ack: { version: 1, digest: 'a'.repeat(64), applied: true, error: '' } });
    const ackFirstEnd = await streamEnd(ackFirst);
    expect(ackFirstEnd.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(ackFirstEnd.details).toMatch(/first message .* must be a hello/);

    const twice = agent.policyChannel();
    twice.write({ hello: { currentVersion: 0, currentDigest: '' } });
    const twiceEnd = await streamEnd(twice);
    expect(twiceEnd.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(twiceEnd.details).toMatch(/must be an ack/);

    const unknown = agent.policyChannel();
    unknown.write({ ack: { version: 99, digest: 'f'.repeat(64), applied: true, error: '' } });
    const unknownEnd = await streamEnd(unknown);
    expect(unknownEnd.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(unknownEnd.details).toMatch(/no bundle version 99 with that digest for this site/);
    expect((await storedNode(agent.nodeId)).appliedPolicyVersion).toBeNull();

    const signedForAnotherMethod = agent.policyChannel(undefined, agent.sign('WatchPolicy'));
    expect((await streamEnd(signedForAnotherMethod)).code).toBe(GrpcStatus.UNAUTHENTICATED);

    // none of that affected the node: a proper channel still works (and gets the bundle published above)
    const fine = agent.policyChannel();
    const updates = received(fine);
    await waitFor(async () => updates.length > 0, 5_000);
    fine.cancel();
  });

  it('is cut when the node is revoked', async () => {
    const agent = await enrolled();
    const channel = agent.policyChannel();
    const updates = received(channel);
    const ended = streamEnd(channel);
    // open, and served: the site's bundle (published above) arrived
    await waitFor(async () => updates.length > 0, 5_000);
    expect((await stack.api('POST', `/v1/nodes/${agent.nodeId}/revoke`)).status).toBe(200);
    const end = await ended;
    expect(end.code).toBe(GrpcStatus.PERMISSION_DENIED);
  });
});
