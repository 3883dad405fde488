import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads process.env. Every app calls loadConfig() once at start-up and hands
 * the typed, grouped result to whatever needs it; a bad variable stops the process with its name.
 */

const DEV_JWT_SECRET = 'meridian-local-development-secret-change-me';
// Development only (production refuses to start without KEY_ENCRYPTION_KEY): a fixed, public key.
const DEV_KEY_ENCRYPTION_KEY = Buffer.from('meridian-development-only-key-32', 'utf8');

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');
const redisUrl = z
  .string()
  .url()
  .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * The smallest audit burst that lets a full batch through: MAX_AUDIT_BATCH of libs/protocol (which
 * this library does not load; a control-plane spec holds the two equal).
 */
export const MIN_AUDIT_BURST_EVENTS = 1_000;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: port.default(3000),
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 1mb').default('1mb'),
  PUBLIC_URL: z.string().url().optional(),
  // Which peers' X-Forwarded-For to believe for the client address (login throttling, request logs): express's
  // "trust proxy" — a hop count, or addresses/CIDRs and the names loopback, linklocal, uniquelocal.
  HTTP_TRUST_PROXY: z.string().refine(isTrustProxy, 'must be a hop count or a comma-separated list of addresses, CIDRs, loopback, linklocal, uniquelocal').default('loopback'),
  DATABASE_URL: postgresUrl.default('postgresql://postgres@127.0.0.1:5432/meridian'),
  APP_DATABASE_URL: postgresUrl.optional(),
  APP_DATABASE_ROLE: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('meridian_app'),
  DATABASE_POOL_SIZE: positiveInt.max(200).default(10),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('meridian'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(3600).default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  // Failed logins one account may take in a burst, and how often it earns one more try (token bucket in Redis).
  LOGIN_ACCOUNT_FAILURE_BURST: positiveInt.max(10_000).default(10),
  LOGIN_ACCOUNT_FAILURE_REFILL_SECONDS: positiveInt.max(86_400).default(60),
  // The same for one client address, whatever accounts it tries.
  LOGIN_ADDRESS_FAILURE_BURST: positiveInt.max(100_000).default(50),
  LOGIN_ADDRESS_FAILURE_REFILL_SECONDS: positiveInt.max(86_400).default(6),
  METRICS_TOKEN: z.string().min(16).optional(),
  GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  GRPC_PORT: port.default(50051),
  GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
  // Where agents reach the gRPC API (host:port), as told to whoever enrolls a gateway; by default PUBLIC_URL's host and GRPC_PORT.
  AGENT_PUBLIC_ENDPOINT: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port, e.g. agents.meridian.example.com:443').optional(),
  // Whether that endpoint speaks TLS (agents then need MERIDIAN_TLS_CA_FILE); by default whether this process serves gRPC with TLS.
  AGENT_PUBLIC_ENDPOINT_TLS: z.enum(['true', 'false']).optional(),
  AGENT_HEARTBEAT_INTERVAL_SECONDS: positiveInt.max(3600).default(10),
  // Failed enrollments one peer address may make in a burst, and how often it earns one more try.
  AGENT_ENROLL_FAILURE_BURST: positiveInt.max(10_000).default(20),
  AGENT_ENROLL_FAILURE_REFILL_SECONDS: positiveInt.max(3600).default(6),
  // Open streams of one kind a node may hold on one replica; a newer one supersedes the oldest.
  AGENT_MAX_STREAMS_PER_NODE: positiveInt.max(16).default(2),
  // Audit events one node may upload (UploadAudit), per second and in a burst: a token bucket per node in Redis.
  AGENT_AUDIT_EVENTS_PER_SECOND: positiveInt.max(10_000_000).default(2_000),
  AGENT_AUDIT_BURST_EVENTS: positiveInt
    .min(MIN_AUDIT_BURST_EVENTS, `must be at least ${MIN_AUDIT_BURST_EVENTS}, the largest audit batch an agent may upload (a full batch could never pass)`)
    .max(1_000_000_000)
    .default(50_000),
  // Artifact downloads one node may have running on one replica (one per model it is fetching); a newer one supersedes the oldest.
  AGENT_MAX_DOWNLOADS_PER_NODE: positiveInt.max(64).default(4),
  // A PolicyChannel whose node has not said hello by then is ended (it would hold a stream slot for nothing).
  AGENT_POLICY_HELLO_TIMEOUT_SECONDS: positiveInt.max(600).default(30),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: positiveInt.max(86_400).default(60),
  // Pending events one checkpoint transaction takes into the log; a backlog is taken in several, one after the other.
  AUDIT_CHECKPOINT_MAX_EVENTS: positiveInt.max(10_000_000).default(100_000),
  // Size of the pieces an audit export's gzip file is stored in (audit_export_chunks): what the worker holds per export.
  AUDIT_EXPORT_CHUNK_BYTES: positiveInt.min(1024).max(64 * 1024 ** 2).default(1024 ** 2),
  // How often the worker compiles publishes, consent changes and key rotations whose compile job was lost.
  POLICY_RECONCILE_INTERVAL_SECONDS: positiveInt.max(3600).default(30),
  KEY_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
    .optional(),
  ARTIFACT_DIR: z.string().min(1).default('.data/artifacts'),
  ARTIFACT_MAX_BYTES: positiveInt.max(8 * 1024 ** 3).default(1024 ** 3),
  ROLLOUT_TICK_MS: positiveInt.min(100).max(60_000).default(2_000),
  SEED_DEMO: z.enum(['true', 'false']).default('false'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  PORTAL_DIR: z.string().min(1).optional(),
});

export type Environment = z.infer<typeof envSchema>;

/** What express's "trust proxy" compiles without throwing: a hop count, or names, addresses and CIDRs. */
/** A URL's host as agents would dial it (IPv6 in brackets, as host:port needs). */
function hostOf(url: string): string {
  return new URL(url).hostname;
}

function isTrustProxy(value: string): boolean {
  if (/^\d{1,2}$/.test(value)) return true;
  return value.split(',').every((part) => {
    const entry = part.trim();
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
    const [address = '', prefix, ...more] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || more.length > 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
}

export interface AppConfig {
  env: Environment['NODE_ENV'];
  logLevel: Environment['LOG_LEVEL'];
  http: {
    host: string;
    port: number;
    bodyLimit: string;
    publicUrl: string;
    /** express "trust proxy": a hop count, or a list of trusted proxy addresses/ranges. */
    trustProxy: number | string;
  };
  database: {
    /** Owner connection: migrations, and the few pre-authentication lookups that must cross tenants. */
    ownerUrl: string;
    /** Connection as the RLS-bound application role: everything done on behalf of a tenant. */
    appUrl: string;
    poolSize: number;
  };
  redis: { url: string; queuePrefix: string };
  auth: {
    jwtSecret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** Token buckets charged by failed logins, per account and per client address, shared by replicas through Redis. */
    loginFailures: { accountBurst: number; accountRefillSeconds: number; addressBurst: number; addressRefillSeconds: number };
  };
  metrics: { token: string | undefined };
  grpc: { host: string; port: number; tls: { certFile: string; keyFile: string } | undefined };
  agents: {
    /** The gRPC endpoint agents are told to connect to when a gateway is enrolled (host:port), and whether it speaks TLS. */
    publicEndpoint: { address: string; tls: boolean };
    heartbeatIntervalSeconds: number;
    /** Token bucket per peer address, charged by failed enrollments (bad tokens, bad proofs), shared by replicas through Redis. */
    enrollFailureBurst: number;
    enrollFailureRefillSeconds: number;
    maxStreamsPerNode: number;
    /**
     * Token bucket per node, in audit events (not calls), shared by replicas through Redis: a node (or a
     * stolen node identity) cannot take the whole audit ingest. The burst must hold the largest batch.
     */
    auditEventsPerSecond: number;
    auditBurstEvents: number;
    maxDownloadsPerNode: number;
    policyHelloTimeoutSeconds: number;
  };
  audit: {
    checkpointIntervalSeconds: number;
    checkpointMaxEvents: number;
    /** Size of the stored pieces of an export's gzip file (audit_export_chunks). */
    exportChunkBytes: number;
  };
  /** How often the worker's sweep compiles policy releases still pending (their job lost). */
  policies: { reconcileIntervalSeconds: number };
  /** Model artifacts: where the filesystem store keeps them (absolute), the largest upload accepted. */
  artifacts: { dir: string; maxBytes: number };
  /** How often the worker's sweep advances rollouts in progress. */
  rollouts: { tickMs: number };
  /** Encrypts tenant signing keys at rest (AES-256-GCM). */
  keys: { encryptionKey: Buffer; isDevelopmentKey: boolean };
  /** OpenTelemetry traces: exported over OTLP/HTTP when an endpoint is set; off otherwise. */
  tracing: { otlpEndpoint: string | undefined; serviceName: string | undefined };
  /** The built tenant portal (apps/portal/dist) the control plane serves; undefined: next to the control plane. */
  portal: { dir: string | undefined };
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Same URL, other user: the app role logs in like the owner does (trust, or a password given via APP_DATABASE_URL). */
export function deriveAppDatabaseUrl(ownerUrl: string, role: string): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '(root)'), message: issue.message })),
    );
  }
  const env = parsed.data;
  const missingInProduction = (['JWT_SECRET', 'KEY_ENCRYPTION_KEY'] as const).filter((name) => env.NODE_ENV === 'production' && !env[name]);
  if (missingInProduction.length > 0) {
    throw new ConfigError(missingInProduction.map((variable) => ({ variable, message: 'is required when NODE_ENV=production' })));
  }
  if (Boolean(env.GRPC_TLS_CERT_FILE) !== Boolean(env.GRPC_TLS_KEY_FILE)) {
    throw new ConfigError([{ variable: env.GRPC_TLS_CERT_FILE ? 'GRPC_TLS_KEY_FILE' : 'GRPC_TLS_CERT_FILE', message: 'TLS needs both GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE' }]);
  }
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT,
      bodyLimit: env.HTTP_BODY_LIMIT,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.HTTP_PORT}`,
      trustProxy: /^\d+$/.test(env.HTTP_TRUST_PROXY) ? Number(env.HTTP_TRUST_PROXY) : env.HTTP_TRUST_PROXY,
    },
    database: {
      ownerUrl: env.DATABASE_URL,
      appUrl: env.APP_DATABASE_URL ?? deriveAppDatabaseUrl(env.DATABASE_URL, env.APP_DATABASE_ROLE),
      poolSize: env.DATABASE_POOL_SIZE,
    },
    redis: { url: env.REDIS_URL, queuePrefix: env.QUEUE_PREFIX },
    auth: {
      jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      loginFailures: {
        accountBurst: env.LOGIN_ACCOUNT_FAILURE_BURST,
        accountRefillSeconds: env.LOGIN_ACCOUNT_FAILURE_REFILL_SECONDS,
        addressBurst: env.LOGIN_ADDRESS_FAILURE_BURST,
        addressRefillSeconds: env.LOGIN_ADDRESS_FAILURE_REFILL_SECONDS,
      },
    },
    metrics: { token: env.METRICS_TOKEN },
    grpc: {
      host: env.GRPC_HOST,
      port: env.GRPC_PORT,
      tls: env.GRPC_TLS_CERT_FILE && env.GRPC_TLS_KEY_FILE ? { certFile: env.GRPC_TLS_CERT_FILE, keyFile: env.GRPC_TLS_KEY_FILE } : undefined,
    },
    agents: {
      publicEndpoint: {
        address: env.AGENT_PUBLIC_ENDPOINT ?? `${hostOf(env.PUBLIC_URL ?? 'http://localhost')}:${env.GRPC_PORT}`,
        tls: env.AGENT_PUBLIC_ENDPOINT_TLS === undefined ? Boolean(env.GRPC_TLS_CERT_FILE) : env.AGENT_PUBLIC_ENDPOINT_TLS === 'true',
      },
      heartbeatIntervalSeconds: env.AGENT_HEARTBEAT_INTERVAL_SECONDS,
      enrollFailureBurst: env.AGENT_ENROLL_FAILURE_BURST,
      enrollFailureRefillSeconds: env.AGENT_ENROLL_FAILURE_REFILL_SECONDS,
      maxStreamsPerNode: env.AGENT_MAX_STREAMS_PER_NODE,
      auditEventsPerSecond: env.AGENT_AUDIT_EVENTS_PER_SECOND,
      auditBurstEvents: env.AGENT_AUDIT_BURST_EVENTS,
      maxDownloadsPerNode: env.AGENT_MAX_DOWNLOADS_PER_NODE,
      policyHelloTimeoutSeconds: env.AGENT_POLICY_HELLO_TIMEOUT_SECONDS,
    },
    audit: { checkpointIntervalSeconds: env.AUDIT_CHECKPOINT_INTERVAL_SECONDS, checkpointMaxEvents: env.AUDIT_CHECKPOINT_MAX_EVENTS, exportChunkBytes: env.AUDIT_EXPORT_CHUNK_BYTES },
    policies: { reconcileIntervalSeconds: env.POLICY_RECONCILE_INTERVAL_SECONDS },
    artifacts: { dir: path.resolve(env.ARTIFACT_DIR), maxBytes: env.ARTIFACT_MAX_BYTES },
    rollouts: { tickMs: env.ROLLOUT_TICK_MS },
    keys: {
      encryptionKey: env.KEY_ENCRYPTION_KEY ? Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64') : DEV_KEY_ENCRYPTION_KEY,
      isDevelopmentKey: !env.KEY_ENCRYPTION_KEY,
    },
    tracing: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
    portal: { dir: env.PORTAL_DIR },
  };
}

/** For process entry points: print the problem in one readable block and exit, instead of a stack trace. */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
