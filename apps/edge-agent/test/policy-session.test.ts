import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { generateEd25519KeyPair, loadPrivateKey } from '@meridian/crypto';
import type { PolicyAck, PolicyUpdate } from '@meridian/protocol';
import { ControlPlaneClient } from '../src/control-plane-client';
import { Session } from '../src/session';
import { createAgentState } from '../src/state';
import { AgentServiceServer } from './agent-service-server';
import { waitFor } from './stack';

const bundle = (version: number): PolicyUpdate => ({
  bundle: { payload: Buffer.from(`{"version":${version}}`), keyId: 'tsk_test', signature: Buffer.alloc(64), version, digest: String(version).padStart(64, '0') },
});

/**
 * The agent's policy session over real gRPC on loopback: acknowledgements on the policy channel,
 * and, against a control plane that predates the channel, WatchPolicy plus AckPolicy.
 */
describe('agent policy session', () => {
  let server: AgentServiceServer | undefined;
  let session: Session | undefined;
  let client: ControlPlaneClient | undefined;

  afterEach(async () => {
    await session?.stop();
    client?.close();
    await server?.stop();
  });

  const start = async (options: { policyChannel: boolean }, holdsVersion = 0) => {
    server = new AgentServiceServer(options);
    const port = await server.start();
    client = new ControlPlaneClient(`127.0.0.1:${port}`, undefined);
    client.authenticateAs(randomUUID(), loadPrivateKey(generateEd25519KeyPair().privateKeyPem));
    const state = createAgentState('0.0.0-test');
    state.policyVersion = holdsVersion;
    state.policyDigest = holdsVersion ? 'd'.repeat(64) : '';
    const applied: number[] = [];
    session = new Session(client, state, pino({ level: 'silent' }), { heartbeatIntervalSeconds: 1, backoff: { initialMs: 20, maxMs: 200 } });
    session.onPolicyUpdate(async (update): Promise<PolicyAck | undefined> => {
      const version = update.bundle!.version;
      if (version <= state.policyVersion) return undefined; // as the agent does with a bundle it has
      state.policyVersion = version;
      applied.push(version);
      return { version, digest: update.bundle!.digest, applied: version !== 13, error: version === 13 ? 'refused by the test' : '' };
    });
    session.start();
    return { server, applied };
  };

  it('says which bundle it holds and acknowledges each bundle on the policy channel', async () => {
    const { server, applied } = await start({ policyChannel: true }, 3);
    await waitFor(async () => server.hellos.length === 1, 5_000);
    expect(server.hellos).toEqual([{ currentVersion: 3, currentDigest: 'd'.repeat(64) }]);
    server.setPolicy(bundle(4));
    server.setPolicy(bundle(13));
    await waitFor(async () => server.acks.length === 2, 5_000);
    expect(applied).toEqual([4, 13]);
    expect(server.acks).toEqual([
      { via: 'channel', ack: { version: 4, digest: bundle(4).bundle!.digest, applied: true, error: '' } },
      { via: 'channel', ack: { version: 13, digest: bundle(13).bundle!.digest, applied: false, error: 'refused by the test' } },
    ]);
  });

  it('falls back to WatchPolicy and AckPolicy when the control plane has no policy channel', async () => {
    const { server, applied } = await start({ policyChannel: false });
    server.setPolicy(bundle(1));
    // the bundle set before the stream opened arrives on connect; then a pushed one
    await waitFor(async () => server.acks.length === 1, 5_000);
    server.setPolicy(bundle(2));
    await waitFor(async () => server.acks.length === 2, 5_000);
    expect(applied).toEqual([1, 2]);
    expect(server.acks.map((a) => `${a.via}:${a.ack.version}`)).toEqual(['AckPolicy:1', 'AckPolicy:2']);
    expect(server.hellos).toEqual([]);
  });
});
