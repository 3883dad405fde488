import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E, enrollAgent, startStack, waitFor, type TestStack } from './stack';

/**
 * A real control plane process and two real agent processes (Indonesia and Chile) on loopback:
 * enrollment, heartbeats seen through REST, the control plane killed and restarted under running
 * agents, and revocation cutting a live stream.
 */
describe('edge agents against a real control plane', () => {
  let stack: TestStack;
  const status = async (country: string) => (await stack.agents[country]!.local('GET', '/v1/status')).body;

  beforeAll(async () => {
    stack = await startStack('agent_e2e');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('enrolls two agents with single-use tokens and shows their heartbeats through REST', async () => {
    await enrollAgent(stack, 'ID');
    await enrollAgent(stack, 'CL');
    // the private key stays on the node, readable by its user only
    const keyLine = stack.agents.ID!.process.lines.find((l) => l.includes('generated the node key'))!;
    const dataDir = (JSON.parse(keyLine) as { dataDir: string }).dataDir;
    expect((await fs.stat(path.join(dataDir, 'node-key.pem'))).mode & 0o777).toBe(0o600);
    // Online from enrollment on; what they report arrives with each one's first heartbeat.
    await waitFor(async () => {
      const online = (await stack.api('GET', '/v1/nodes?status=online')).body.items as { reported: { policyVersion?: number } }[];
      return online.length === 2 && online.every((node) => node.reported.policyVersion !== undefined);
    }, 10_000);
    const nodes = (await stack.api('GET', '/v1/nodes')).body.items as any[];
    expect(nodes.map((n) => n.name).sort()).toEqual(['gw-cl-1', 'gw-id-1']);
    for (const node of nodes) {
      expect(node).toMatchObject({ status: 'online', agentVersion: '0.1.0', reported: { policyVersion: 0 } });
      expect(Date.now() - new Date(node.lastSeenAt).getTime()).toBeLessThan(5_000);
    }
    expect(await status('ID')).toMatchObject({ enrolled: true, connected: true, siteCountry: 'ID' });
    expect(await status('CL')).toMatchObject({ enrolled: true, connected: true, siteCountry: 'CL' });
    const metrics = await (await fetch(`http://127.0.0.1:${stack.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/meridian_agents_connected 2/);
  });

  it('keeps agents serving locally while the control plane is down, and they reconnect by themselves', async () => {
    await stack.controlPlane.stop('SIGKILL');
    await waitFor(async () => !(await status('ID')).connected && !(await status('CL')).connected, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 3 * E2E.heartbeatSeconds * 1000));
    for (const country of ['ID', 'CL']) {
      const s = await status(country);
      expect(s).toMatchObject({ enrolled: true, connected: false, siteCountry: country });
      expect(s.lastError).toMatch(/UNAVAILABLE|ECONNREFUSED|No connection/);
      expect(stack.agents[country]!.process.child.exitCode).toBeNull();
    }

    const restartedAt = Date.now();
    await stack.startControlPlane();
    const readyAfter = Date.now() - restartedAt;
    await waitFor(async () => (await status('ID')).connected && (await status('CL')).connected, 15_000);
    const since = new Date(restartedAt);
    await waitFor(async () => (await stack.owner.edgeNode.count({ where: { lastSeenAt: { gt: since } } })) === 2, 15_000);
    const reconnectedAfter = Date.now() - restartedAt;
    console.log(`control plane ready ${readyAfter} ms after restart; both agents heartbeating again after ${reconnectedAfter} ms (backoff max ${E2E.backoffMaxMs} ms, heartbeat ${E2E.heartbeatSeconds} s)`);
    // bound: ready time + one full backoff ceiling + one heartbeat interval + slack for the first call
    expect(reconnectedAfter - readyAfter).toBeLessThan(E2E.backoffMaxMs + E2E.heartbeatSeconds * 1000 + 2_000);
  });

  it('cuts a revoked agent off within 5 seconds, while the other keeps working', async () => {
    const cl = stack.agents.CL!;
    const revokedAt = Date.now();
    expect((await stack.api('POST', `/v1/nodes/${cl.nodeId}/revoke`)).status).toBe(200);
    const line = await cl.process.waitFor(/control plane refused this node.*PERMISSION_DENIED|PERMISSION_DENIED.*control plane refused this node/, 5_000);
    const cutAfter = Date.now() - revokedAt;
    console.log(`revoked agent refused after ${cutAfter} ms: ${line.slice(0, 160)}`);
    expect(cutAfter).toBeLessThan(5_000);
    expect((await status('CL')).connected).toBe(false);
    expect((await cl.local('GET', '/healthz')).status).toBe(200);
    const idNode = stack.agents.ID!.nodeId;
    const before = (await stack.owner.edgeNode.findUniqueOrThrow({ where: { id: idNode } })).lastSeenAt!;
    await waitFor(async () => (await stack.owner.edgeNode.findUniqueOrThrow({ where: { id: idNode } })).lastSeenAt! > before, 5_000);
  });

  it('restarts from its data directory without enrolling again, and stops cleanly', async () => {
    expect(await stack.agents.ID!.process.stop('SIGTERM')).toBe(0);
    await stack.startAgent('ID'); // no token this time
    expect(await stack.owner.edgeNode.count()).toBe(2);
    expect(await stack.agents.ID!.process.stop('SIGTERM')).toBe(0);
    expect(await stack.agents.CL!.process.stop('SIGTERM')).toBe(0);
  });
});
