// One simulator process: many agent sessions, each with its own node key and its own HTTP/2
// connection to the control plane, speaking the real protocol (signed calls, PolicyChannel — or
// WatchPolicy + AckPolicy as agents before it did —, Heartbeat, UploadAudit). Driven by its parent
// over IPC (see fleet.mjs).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { credentials, status: GrpcStatus } = require('@grpc/grpc-js');
const { AgentServiceClient, signCall } = require('@meridian/protocol');
const { loadPrivateKey, signEd25519 } = require('@meridian/crypto');
const { appendRecord } = require('@meridian/audit');

const now = () => performance.timeOrigin + performance.now();
const CLIENT_OPTIONS = {
  // separate connections per agent, as separate machines would have
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_send_message_length': 8 * 1024 * 1024,
  // no channelz bookkeeping per call (an agent has no use for it)
  'grpc.enable_channelz': 0,
};

let target;
let agents = [];
let marked = false;
let collected = [];
const errors = new Map();
let received = 0;
let acked = 0;

function agentFor({ nodeId, privateKeyPem }) {
  let client;
  return {
    nodeId,
    key: loadPrivateKey(privateKeyPem),
    get client() {
      client ??= new AgentServiceClient(target, credentials.createInsecure(), CLIENT_OPTIONS);
      return client;
    },
    chain: [],
    stream: undefined,
    close() {
      this.stream?.cancel();
      client?.close();
    },
  };
}

/** Signed as the edge agent signs (libs/protocol signCall): method, node, time, nonce and the request message. */
const sign = (agent, method, request) => signCall(agent.key, agent.nodeId, method, request);
const countError = (code) => errors.set(code, (errors.get(code) ?? 0) + 1);

/** What an agent does with a bundle, on either protocol: records when it came, acknowledges it. */
function onBundle(agent, update, acknowledge) {
  const receivedAt = now();
  received += 1;
  const bundle = update.bundle;
  const entry = marked ? { nodeId: agent.nodeId, receivedAt, sentAt: 0, ackedAt: 0, ok: false, version: bundle.version } : undefined;
  if (entry) collected.push(entry);
  acknowledge({ version: bundle.version, digest: bundle.digest, applied: true, error: '' }, entry);
}

/** A policy stream's end, counted unless this side cancelled it. */
function countStreamErrors(stream) {
  stream.on('error', (error) => {
    if (error.code !== GrpcStatus.CANCELLED) countError(`stream:${GrpcStatus[error.code] ?? error.code}`);
  });
}

/** PolicyChannel: the hello, then each acknowledgement on the stream itself. Acknowledged = written here (the parent reads when it was recorded from the database). */
function watchChannel(agent, currentVersion) {
  const stream = agent.client.policyChannel(sign(agent, 'policyChannel'));
  agent.stream = stream;
  stream.write({ hello: { currentVersion, currentDigest: '' } });
  stream.on('data', (update) =>
    onBundle(agent, update, (ack, entry) => {
      if (entry) entry.sentAt = now();
      stream.write({ ack }, () => {
        acked += 1;
        if (entry) entry.ok = true;
      });
    }),
  );
  countStreamErrors(stream);
}

/** WatchPolicy and a signed AckPolicy call per bundle, as agents before PolicyChannel. Acknowledged = answered. */
function watchLegacy(agent, currentVersion) {
  const request = { currentVersion, currentDigest: '' };
  const stream = agent.client.watchPolicy(request, sign(agent, 'watchPolicy', request));
  agent.stream = stream;
  stream.on('data', (update) =>
    onBundle(agent, update, (ack, entry) => {
      const metadata = sign(agent, 'ackPolicy', ack);
      if (entry) entry.sentAt = now();
      agent.client.ackPolicy(ack, metadata, { deadline: Date.now() + 60_000 }, (error) => {
        if (error) countError(GrpcStatus[error.code] ?? error.code);
        else acked += 1;
        if (entry) {
          entry.ackedAt = now();
          entry.ok = !error;
        }
      });
    }),
  );
  countStreamErrors(stream);
}

function unary(agent, method, request) {
  const started = now();
  return new Promise((resolve, reject) =>
    agent.client[method](request, sign(agent, method, request), { deadline: Date.now() + 60_000 }, (error, response) =>
      error ? reject(Object.assign(error, { latency: now() - started })) : resolve({ response, latency: now() - started }),
    ),
  );
}

function nextBatch(agent, size) {
  const records = [];
  for (let i = 0; i < size; i += 1) {
    const at = new Date().toISOString();
    const record = appendRecord(agent.chain.at(-1), { at, type: 'policy.decision', actor: `node:${agent.nodeId}`, category: 'model_outputs', decision: 'allow', data: { action: 'infer', i } });
    agent.chain.push(record);
    records.push(record);
  }
  if (agent.chain.length > size) agent.chain.splice(0, agent.chain.length - 1);
  const encoded = records.map((r) => ({ seq: r.seq, prevHash: Buffer.from(r.prevHash, 'hex'), hash: Buffer.from(r.hash, 'hex'), body: Buffer.from(r.body, 'utf8') }));
  return { records: encoded, signature: signEd25519(agent.key, Buffer.concat(encoded.map((r) => r.hash))) };
}

let desiredTarget;
const desiredReceived = [];
function watchDesired(agent) {
  const request = { currentRevision: 0 };
  const stream = agent.client.watchDesiredState(request, sign(agent, 'watchDesiredState', request));
  agent.desiredStream = stream;
  let seen = false;
  stream.on('data', (state) => {
    if (seen || !desiredTarget) return;
    if (state.models.some((m) => m.modelId === desiredTarget.modelId && m.version === desiredTarget.version)) {
      seen = true;
      desiredReceived.push(now());
    }
  });
  stream.on('error', (error) => {
    if (error.code !== GrpcStatus.CANCELLED) countError(`desired:${GrpcStatus[error.code] ?? error.code}`);
  });
}

/**
 * Connects every agent and then opens its stream, `concurrency` connections in progress at a time,
 * as agents coming online do: a connection first (retried with a pause when refused), then a call
 * signed at that moment. (Opening the call before the connection exists would queue it, and its
 * signature could go stale while thousands of handshakes wait.)
 */
async function connectAll(open, concurrency) {
  let next = 0;
  let connected = 0;
  const ready = (agent) => new Promise((resolve) => agent.client.waitForReady(Date.now() + 30_000, (error) => resolve(!error)));
  const worker = async () => {
    while (next < agents.length) {
      const agent = agents[next++];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        if (await ready(agent)) {
          open(agent);
          connected += 1;
          break;
        }
        countError('connect-retry');
        await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, agents.length) }, worker));
  return connected;
}

const commands = {
  /** Opens one WatchDesiredState stream per agent. */
  watchDesired({ concurrency = 100 }) {
    return connectAll((agent) => watchDesired(agent), concurrency);
  },
  /** From now on, record when each agent first receives a desired state naming this model version. */
  expectDesired({ modelId, version }) {
    desiredTarget = { modelId, version };
    desiredReceived.length = 0;
    return true;
  },
  desiredReceived() {
    return desiredReceived;
  },
  init({ target: t, nodes }) {
    target = t;
    agents = nodes.map(agentFor);
    return agents.length;
  },
  /** Opens one policy stream per agent (see connectAll): a PolicyChannel, or with `legacy` a WatchPolicy. */
  watch({ currentVersion = 0, concurrency = 100, legacy = false }) {
    return connectAll((agent) => (legacy ? watchLegacy : watchChannel)(agent, currentVersion), concurrency);
  },
  status() {
    return { received, acked, errors: Object.fromEntries(errors) };
  },
  mark() {
    marked = true;
    collected = [];
    return true;
  },
  collect() {
    return collected;
  },
  /** One heartbeat from each of the first `count` agents, all at once; their latencies. */
  async heartbeat({ count }) {
    const results = await Promise.allSettled(
      agents.slice(0, count).map((agent) =>
        unary(agent, 'heartbeat', { agentVersion: 'bench-sim', policyVersion: 0, policyDigest: '', models: [], uptimeSeconds: 1, inference: { requests: 0, errors: 0, denied: 0 }, auditPendingEvents: 0 }),
      ),
    );
    return { latencies: results.filter((r) => r.status === 'fulfilled').map((r) => r.value.latency), failed: results.filter((r) => r.status === 'rejected').map((r) => String(r.reason.details ?? r.reason)) };
  },
  /** Prepares `batches` signed audit batches of `size` records for each of the first `count` agents (not timed). */
  prepareAudit({ count, batches, size }) {
    let events = 0;
    for (const agent of agents.slice(0, count)) {
      agent.pending = [];
      for (let b = 0; b < batches; b += 1) agent.pending.push(nextBatch(agent, size));
      events += batches * size;
    }
    return events;
  },
  /** Uploads the prepared batches [from, to), each agent in order (a chain must arrive in order), agents in parallel. */
  async uploadAudit({ count, from = 0, to = Infinity }) {
    const started = now();
    let stored = 0;
    const failures = [];
    await Promise.all(
      agents.slice(0, count).map(async (agent) => {
        for (const batch of (agent.pending ?? []).slice(from, to)) {
          try {
            const { response } = await unary(agent, 'uploadAudit', batch);
            stored = Math.max(stored, 0) + batch.records.length;
            if (response.acknowledgedSeq !== batch.records.at(-1).seq) failures.push(`ack ${response.acknowledgedSeq} for ${batch.records.at(-1).seq}`);
          } catch (error) {
            failures.push(String(error.details ?? error));
            return;
          }
        }
      }),
    );
    return { stored, ms: now() - started, failures: failures.slice(0, 5), failed: failures.length };
  },
  close() {
    for (const agent of agents) {
      agent.desiredStream?.cancel();
      agent.close();
    }
    return true;
  },
};

process.on('message', async (message) => {
  try {
    const result = await commands[message.command](message);
    process.send({ id: message.id, result });
  } catch (error) {
    process.send({ id: message.id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
