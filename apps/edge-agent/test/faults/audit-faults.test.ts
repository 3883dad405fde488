import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@meridian/audit';
import { enrollAgent, startStack, storedChain, storedDecisionTags, waitFor, waitForAuditUploaded, type TestStack } from '../stack';
import { PrivateRedis } from './private-redis';

/**
 * Crashes during audit upload, with real processes on loopback: kill -9 of the control plane, of
 * the worker and of the agent, and a restart of Redis (a private redis-server on a random port —
 * never the machine's shared one). An application keeps asking the agent for decisions throughout;
 * each answered decision carries its own tag, and afterwards every answered decision is stored
 * exactly once and the node's chain verifies.
 */
describe('faults: crashes during audit upload', () => {
  let stack: TestStack;
  let redis: PrivateRedis | undefined;
  const answered = new Set<string>();
  let nodeId = '';
  let requests = 0;

  /** Decisions one after another until stopped; failures (agent down) are expected and not counted. */
  const load = () => {
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const tag = `req-${(requests += 1)}`;
        const agent = stack.agents.ID;
        const response = await agent?.local('POST', '/v1/decide', { category: 'model_outputs', action: 'infer', location: tag }).catch(() => undefined);
        if (response?.status === 200) answered.add(tag);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    return async () => {
      stop = true;
      await loop;
    };
  };

  const storedTags = () => storedDecisionTags(stack, nodeId);

  /** Every answered decision stored once; at most one more (journaled, but its answer lost in a crash). */
  const expectExactlyOnce = async () => {
    await waitFor(async () => {
      const tags = new Set(await storedTags());
      return [...answered].every((t) => tags.has(t));
    }, 30_000);
    // Counted once the agent has nothing left to upload: a duplicate sent late would be in the count.
    await waitForAuditUploaded(stack.agents.ID!, 30_000);
    const tags = await storedTags();
    expect(new Set(tags).size).toBe(tags.length);
    const unanswered = tags.filter((t) => !answered.has(t));
    expect(unanswered.length).toBeLessThanOrEqual(1);
    const chain = await storedChain(stack, nodeId);
    expect(verifyChain(chain)).toEqual({ ok: true });
    expect(new Set(chain.map((r) => r.seq)).size).toBe(chain.length);
    return tags.length;
  };

  /** Runs the load, lets uploads flow, applies the fault mid-stream, lets it recover. */
  const during = async (fault: () => Promise<void>) => {
    const before = answered.size;
    const stopLoad = load();
    await waitFor(async () => answered.size >= before + 40, 20_000);
    await fault();
    const afterFault = answered.size;
    await waitFor(async () => answered.size >= afterFault + 40, 30_000);
    await stopLoad();
  };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    process.env.REDIS_URL = redis.url;
    stack = await startStack('faults_audit', { worker: true });
    nodeId = (await enrollAgent(stack, 'ID')).nodeId;
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await redis?.kill();
  });

  it('kill -9 of the control plane during upload: nothing lost, nothing duplicated', async () => {
    await during(async () => {
      await stack.controlPlane.stop('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stack.startControlPlane();
    });
    console.log(`after control-plane kill -9: ${await expectExactlyOnce()} decisions stored, ${answered.size} answered`);
  });

  it('kill -9 of the worker during upload: nothing lost, nothing duplicated', async () => {
    await during(async () => {
      await stack.worker!.stop('SIGKILL');
      stack.worker = await stack.startWorker();
    });
    await expectExactlyOnce();
  });

  it('kill -9 of the agent during upload: every answered decision survives and is stored once', async () => {
    await during(async () => {
      await stack.agents.ID!.process.stop('SIGKILL');
      await stack.startAgent('ID');
    });
    await expectExactlyOnce();
  });

  it('Redis restarted during upload: uploads resume, nothing lost, nothing duplicated', async () => {
    await during(async () => {
      await redis!.restart();
    });
    await expectExactlyOnce();
    // the agent is still connected and heartbeating through the restarted Redis
    await waitFor(async () => (await stack.agents.ID!.local('GET', '/v1/status')).body.connected === true, 20_000);
  });
});
