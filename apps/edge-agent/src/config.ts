import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
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
  /** Address the local API listens on: loopback unless the factory's applications run on other machines. */
  localApiHost: string;
  /** Applications allowed to call the local API, by name, with their bearer tokens; undefined = any local caller. */
  localApiClients: Record<string, string> | undefined;
  backoff: { initialMs: number; maxMs: number };
  journal: { maxBytes: number; retentionDays: number; durability: 'strict' | 'batch' };
  logLevel: string;
  /** Where allowed egress is delivered, by destination. Destinations without a target are never contacted. */
  egressTargets: Record<string, string>;
  /** Model downloads become durable (fsync + progress record) every this many bytes; a restart resumes from there. */
  modelCheckpointBytes: number;
}

const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CLIENT_LIST_MESSAGE = 'must be a JSON object of application name (letters, digits, . _ -) -> token of at least 32 characters, e.g. {"vision-line-1":"<token>"}';

function isClientList(value: string): boolean {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    const entries = Object.entries(parsed);
    const tokens = entries.map(([, token]) => token);
    return (
      entries.length > 0 &&
      entries.every(([name, token]) => CLIENT_NAME.test(name) && typeof token === 'string' && token.length >= 32 && token.length <= 512 && /^[\x21-\x7e]+$/.test(token)) &&
      new Set(tokens).size === tokens.length
    );
  } catch {
    return false;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
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
  MERIDIAN_LOCAL_API_HOST: z.string().refine((host) => host === 'localhost' || isIP(host) !== 0, 'must be an IP address (0.0.0.0 or :: for every interface) or localhost').default('127.0.0.1'),
  // {"<application>": "<token of 32+ characters>", …}: given, every call but GET /healthz needs one of the tokens.
  MERIDIAN_LOCAL_API_CLIENTS: z.string().refine(isClientList, CLIENT_LIST_MESSAGE).optional(),
  MERIDIAN_LOCAL_API_CLIENTS_FILE: z.string().min(1).optional(),
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
  const localApiClients = readClients(c.MERIDIAN_LOCAL_API_CLIENTS, c.MERIDIAN_LOCAL_API_CLIENTS_FILE);
  if (!isLoopback(c.MERIDIAN_LOCAL_API_HOST) && !localApiClients) {
    throw new AgentConfigError(
      `MERIDIAN_LOCAL_API_HOST: ${c.MERIDIAN_LOCAL_API_HOST} lets other machines call the local API; name the applications that may, with their tokens, in MERIDIAN_LOCAL_API_CLIENTS or MERIDIAN_LOCAL_API_CLIENTS_FILE`,
    );
  }
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
    localApiHost: c.MERIDIAN_LOCAL_API_HOST,
    localApiClients,
    backoff: { initialMs: c.MERIDIAN_BACKOFF_INITIAL_MS, maxMs: c.MERIDIAN_BACKOFF_MAX_MS },
    journal: { maxBytes: c.MERIDIAN_JOURNAL_MAX_BYTES, retentionDays: c.MERIDIAN_JOURNAL_RETENTION_DAYS, durability: c.MERIDIAN_JOURNAL_DURABILITY },
    logLevel: c.LOG_LEVEL,
    egressTargets: c.MERIDIAN_EGRESS_TARGETS ? (JSON.parse(c.MERIDIAN_EGRESS_TARGETS) as Record<string, string>) : {},
    modelCheckpointBytes: c.MERIDIAN_MODEL_CHECKPOINT_BYTES,
  };
}

/** The local API's applications, from the variable or the file it names (a container secret); the file must exist and hold a valid list. */
function readClients(inline: string | undefined, file: string | undefined): Record<string, string> | undefined {
  if (inline && file) throw new AgentConfigError('MERIDIAN_LOCAL_API_CLIENTS and MERIDIAN_LOCAL_API_CLIENTS_FILE: give one of them');
  let text = inline;
  if (file) {
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new AgentConfigError(`MERIDIAN_LOCAL_API_CLIENTS_FILE: cannot read ${file}: ${(error as Error).message}`);
    }
    if (!isClientList(text)) throw new AgentConfigError(`MERIDIAN_LOCAL_API_CLIENTS_FILE: ${file} ${CLIENT_LIST_MESSAGE}`);
  }
  return text ? (JSON.parse(text) as Record<string, string>) : undefined;
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
