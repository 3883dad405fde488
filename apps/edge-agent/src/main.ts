import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { AgentConfigError, loadAgentConfig } from './config';
import { ControlPlaneClient } from './control-plane-client';
import { enroll, EnrollmentRefused } from './enroll';
import { IdentityError, loadIdentity, loadOrCreateKey } from './identity';
import { registerGovernedRoutes } from './governed-api';
import { LocalApi } from './local-api';
import { AuditUploader } from './audit-uploader';
import { Journal } from './journal';
import { registerModelRoutes } from './models/inference-api';
import { ModelManager } from './models/model-manager';
import { ModelStore } from './models/model-store';
import { PolicyEngine } from './policy-engine';
import { Session } from './session';
import { createAgentState } from './state';

const AGENT_VERSION = (JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version: string }).version;

async function main(): Promise<void> {
  let config;
  try {
    config = loadAgentConfig();
  } catch (error) {
    if (error instanceof AgentConfigError) {
      process.stderr.write(`Invalid agent configuration:\n${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  let logger = pino({ level: config.logLevel, base: { service: 'meridian-edge-agent' } });
  const stopping = new AbortController();
  const client = new ControlPlaneClient(config.controlPlane, config.tlsCaFile);
  const state = createAgentState(AGENT_VERSION);

  let session: Session | undefined;
  let uploader: AuditUploader | undefined;
  let api: LocalApi | undefined;
  let models: ModelManager | undefined;
  const shutdown = async (signal: string) => {
    if (stopping.signal.aborted) return;
    logger.info({ signal }, 'stopping');
    stopping.abort();
    const force = setTimeout(() => process.exit(1), 5_000);
    force.unref();
    await session?.stop();
    await models?.stop();
    await api?.close();
    await uploader?.close();
    client.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const key = await loadOrCreateKey(config.dataDir);
  if (key.created) logger.info({ dataDir: config.dataDir }, 'generated the node key');
  let identity = await loadIdentity(config.dataDir);

  // The local API comes up first and stays up: the factory's applications must get answers
  // (denials, until a policy is in force) whether or not the control plane is reachable.
  api = new LocalApi({ clients: config.localApiClients });
  api.route('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
  api.route('GET', '/v1/status', () => ({
    status: 200,
    body: {
      nodeId: identity?.nodeId ?? null,
      tenantId: identity?.tenantId ?? null,
      siteId: identity?.siteId ?? null,
      siteCountry: identity?.siteCountry ?? null,
      enrolled: Boolean(identity),
      connected: state.connected,
      lastHeartbeatAt: state.lastHeartbeatAt,
      lastError: state.lastError,
      policyVersion: state.policyVersion,
      models: state.models,
      inference: state.inference,
      auditPendingEvents: state.auditPendingEvents,
      uptimeSeconds: Math.floor((Date.now() - state.startedAt) / 1000),
      agentVersion: AGENT_VERSION,
    },
  }));
  let engine: PolicyEngine | undefined;
  registerGovernedRoutes(api, () => engine, state, config.egressTargets, logger);
  registerModelRoutes(api, { manager: () => models, engine: () => engine, audit: () => uploader, durability: config.journal.durability }, state, logger);
  const port = await api.listen(config.localApiPort, config.localApiHost);
  logger.info({ host: config.localApiHost, port, applications: config.localApiClients ? Object.keys(config.localApiClients) : 'any local caller' }, 'local api listening');

  if (!identity) {
    identity = await enroll(config, client, key, AGENT_VERSION, logger, stopping.signal);
    if (!identity) return; // stopped while enrolling
  }
  logger = logger.child({ nodeId: identity.nodeId });
  client.authenticateAs(identity.nodeId, key.privateKey);
  const journal = await Journal.open(config.dataDir, { maxBytes: config.journal.maxBytes, flushIntervalMs: config.journal.durability === 'strict' ? 0 : 20, retentionMs: config.journal.retentionDays * 86_400_000 }, logger);
  const audit = new AuditUploader(journal, client, key.privateKey, identity.nodeId, state, logger, config.backoff);
  uploader = audit;
  audit.start();
  const policy = new PolicyEngine(config.dataDir, identity, logger, audit, config.journal.durability);
  await policy.load();
  engine = policy;
  const syncState = () => {
    state.policyVersion = policy.version;
    state.policyDigest = policy.digest;
  };
  syncState();
  const manager = new ModelManager(new ModelStore(config.dataDir), client, { tenantId: identity.tenantId, keys: () => policy.trustedKeys }, audit, state, logger, {
    backoff: config.backoff,
    checkpointBytes: config.modelCheckpointBytes,
  });
  await manager.start();
  models = manager;

  session = new Session(client, state, logger, { heartbeatIntervalSeconds: identity.heartbeatIntervalSeconds, backoff: config.backoff });
  session.onPolicyUpdate(async (update) => {
    if (!update.bundle) return undefined;
    const result = await policy.apply(update.bundle);
    syncState();
    if (result.applied) manager.trustChanged();
    if (!result.applied && update.bundle.version <= policy.version) return undefined; // a re-sent or older bundle: nothing to report
    return { version: update.bundle.version, digest: update.bundle.digest, applied: result.applied, error: result.applied ? '' : result.reason };
  });
  session.onDesiredState((desired) => {
    logger.info({ revision: desired.revision, models: desired.models.map((m) => `${m.name}@${m.version}`) }, 'desired state received');
    manager.applyDesired(desired);
  });
  session.start();
  logger.info({ controlPlane: config.controlPlane, siteCountry: identity.siteCountry }, 'agent started');
}

main().catch((error: unknown) => {
  const refused = error instanceof EnrollmentRefused || error instanceof IdentityError;
  process.stderr.write(`${JSON.stringify({ level: 60, msg: refused ? (error as Error).message : 'agent failed', err: String((error as Error)?.stack ?? error) })}\n`);
  process.exit(refused ? 2 : 1);
});
