import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

/** Agent settings: environment variables, optionally overlaid by a JSON file named in MERIDIAN_AGENT_CONFIG. */
export interface AgentConfig {
  controlPlane: string;
  tlsCaFile: string | undefined;
  enrollmentToken: string | undefined;
  dataDir: string;
  nodeName: string;
  labels: Record<string, string>;
  localApiPort: number;
  backoff: { initialMs: number; maxMs: number };
  journal: { maxBytes: number; retentionDays: number; durability: 'strict' | 'batch' };
  logLevel: string;
  /** Where allowed egress is delivered, by destination. Destinations without a target are never contacted. */
  egressTargets: Record<string, string>;
  /** Model downloads become durable (fsync + progress record) every this many bytes; a restart resumes from there. */
  modelCheckpointBytes: number;
}

const schema = z.object({
  MERIDIAN_CONTROL_PLANE: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port').default('127.0.0.1:50051'),
  MERIDIAN_TLS_CA_FILE: z.string().min(1).optional(),
  MERIDIAN_ENROLLMENT_TOKEN: z.string().min(1).optional(),
  MERIDIAN_ENROLLMENT_TOKEN_FILE: z.string().min(1).optional(),
  MERIDIAN_DATA_DIR: z.string().min(1).default('./.data/edge-agent'),
  MERIDIAN_NODE_NAME: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, dots, dashes or underscores').optional(),
  MERIDIAN_NODE_LABELS: z
    .string()
    .regex(/^([a-z0-9][a-z0-9._/-]*=[^,=]*)(,[a-z0-9][a-z0-9._/-]*=[^,=]*)*$/, 'must look like line=A,zone=north')
    .optional(),
  MERIDIAN_LOCAL_API_PORT: z.coerce.number().int().min(0).max(65535).default(7070),
  MERIDIAN_JOURNAL_MAX_BYTES: z.coerce.number().int().min(10_000).default(512 * 1024 * 1024),
  MERIDIAN_JOURNAL_DURABILITY: z.enum(['strict', 'batch']).default('strict'),
  MERIDIAN_JOURNAL_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  MERIDIAN_BACKOFF_INITIAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  MERIDIAN_BACKOFF_MAX_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  MERIDIAN_EGRESS_TARGETS: z
    .string()
    .refine((value) => {
      try {
        const parsed = JSON.parse(value) as unknown;
        return typeof parsed === 'object' && parsed !== null && Object.values(parsed).every((url) => typeof url === 'string' && /^https?:\/\//.test(url));
      } catch {
        return false;
      }
    }, 'must be a JSON object of destination -> http(s) URL, e.g. {"vendor_cloud:eu":"https://ingest.example/eu"}')
    .optional(),
  MERIDIAN_MODEL_CHECKPOINT_BYTES: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(256 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export class AgentConfigError extends Error {}

export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let source: Record<string, unknown> = { ...env };
  if (env.MERIDIAN_AGENT_CONFIG) {
    try {
      source = { ...source, ...(JSON.parse(readFileSync(env.MERIDIAN_AGENT_CONFIG, 'utf8')) as Record<string, unknown>) };
    } catch (error) {
      throw new AgentConfigError(`MERIDIAN_AGENT_CONFIG: cannot read ${env.MERIDIAN_AGENT_CONFIG}: ${(error as Error).message}`);
    }
  }
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new AgentConfigError(parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('\n'));
  }
  const c = parsed.data;
  if (c.MERIDIAN_BACKOFF_MAX_MS < c.MERIDIAN_BACKOFF_INITIAL_MS) throw new AgentConfigError('MERIDIAN_BACKOFF_MAX_MS: must be at least MERIDIAN_BACKOFF_INITIAL_MS');
  const labels = Object.fromEntries(
    (c.MERIDIAN_NODE_LABELS ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  return {
    controlPlane: c.MERIDIAN_CONTROL_PLANE,
    tlsCaFile: c.MERIDIAN_TLS_CA_FILE,
    enrollmentToken: c.MERIDIAN_ENROLLMENT_TOKEN ?? readTokenFile(c.MERIDIAN_ENROLLMENT_TOKEN_FILE),
    dataDir: c.MERIDIAN_DATA_DIR,
    nodeName: c.MERIDIAN_NODE_NAME ?? os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100),
    labels,
    localApiPort: c.MERIDIAN_LOCAL_API_PORT,
    backoff: { initialMs: c.MERIDIAN_BACKOFF_INITIAL_MS, maxMs: c.MERIDIAN_BACKOFF_MAX_MS },
    journal: { maxBytes: c.MERIDIAN_JOURNAL_MAX_BYTES, retentionDays: c.MERIDIAN_JOURNAL_RETENTION_DAYS, durability: c.MERIDIAN_JOURNAL_DURABILITY },
    logLevel: c.LOG_LEVEL,
    egressTargets: c.MERIDIAN_EGRESS_TARGETS ? (JSON.parse(c.MERIDIAN_EGRESS_TARGETS) as Record<string, string>) : {},
    modelCheckpointBytes: c.MERIDIAN_MODEL_CHECKPOINT_BYTES,
  };
}

/** A token handed over in a file (container secrets, the compose demo); absent file = no token. */
function readTokenFile(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
