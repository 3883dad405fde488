import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { canonicalJson } from '@meridian/governance';
import type { CommandOutput } from './audit-verify';
import { ControlPlane, ControlPlaneError } from './control-plane';

export const MODELS_PUSH_USAGE = `usage: meridian models push --model <name> --version <semver> --card <card.json> --artifact <model.onnx>
                            [--description <text>] [--publish] [--url <control plane>]

Registers a model version with the control plane, as a release pipeline does: creates the model if
the tenant has none of that name, saves the version's model card (a draft's card is replaced),
uploads the ONNX artifact (streamed, with its sha256, so bytes that arrive changed are refused) and,
with --publish, has the control plane sign the version's manifest; it is immutable from then on.
Run again with the same files, it changes nothing and succeeds; a version published with other bytes
is refused (publish a new version instead).

The control plane: --url or MERIDIAN_URL (e.g. https://meridian.example.com).
Credentials: MERIDIAN_API_KEY, an API key acting as a vendor engineer or admin (create one on the
portal's API keys page). It is read from the environment only: a command line can be read by
other users of the machine.
Exit codes: 0 done, 1 refused by the control plane (its reason is printed), 2 bad usage or input.`;

interface PushOptions {
  model: string;
  version: string;
  card: string;
  artifact: string;
  description?: string;
  publish: boolean;
  url: string;
  apiKey: string;
}

interface ModelVersion {
  status: 'draft' | 'published';
  card: unknown;
  artifact: { sha256: string; size: number } | null;
  keyId: string | null;
  manifestDigest: string | null;
}

const VALUE_FLAGS = { '--model': 'model', '--version': 'version', '--card': 'card', '--artifact': 'artifact', '--description': 'description', '--url': 'url' } as const;

/** The options, or the reason they are not usable (exit 2). */
export function parsePushArguments(argv: string[], env: NodeJS.ProcessEnv): PushOptions | { error: string } | 'help' {
  const given: Partial<Record<(typeof VALUE_FLAGS)[keyof typeof VALUE_FLAGS], string>> = {};
  let publish = false;
  const args = [...argv];
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--publish') {
      publish = true;
      continue;
    }
    if (arg === '--api-key') return { error: '--api-key is not accepted: set MERIDIAN_API_KEY in the environment instead' };
    const key = VALUE_FLAGS[arg as keyof typeof VALUE_FLAGS];
    if (!key) return { error: `unknown argument ${arg}` };
    const value = args.shift();
    if (value === undefined || value.startsWith('--')) return { error: `${arg} needs a value` };
    given[key] = value;
  }
  const missing = (['model', 'version', 'card', 'artifact'] as const).filter((key) => !given[key]).map((key) => `--${key}`);
  if (missing.length) return { error: `missing ${missing.join(', ')}` };
  const url = given.url ?? env.MERIDIAN_URL;
  if (!url) return { error: 'no control plane: give --url or set MERIDIAN_URL' };
  if (!/^https?:\/\/[^/]+/.test(url)) return { error: `--url / MERIDIAN_URL must be an http(s) URL, got "${url}"` };
  const apiKey = env.MERIDIAN_API_KEY;
  if (!apiKey) return { error: 'no credentials: set MERIDIAN_API_KEY to an API key of the tenant' };
  return { model: given.model!, version: given.version!, card: given.card!, artifact: given.artifact!, description: given.description, publish, url: url.replace(/\/+$/, ''), apiKey };
}

export async function modelsPush(argv: string[], out: CommandOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parsePushArguments(argv, env);
  if (options === 'help') {
    out.stdout(`${MODELS_PUSH_USAGE}\n`);
    return 0;
  }
  if ('error' in options) {
    out.stderr(`meridian models push: ${options.error}\n\n${MODELS_PUSH_USAGE}\n`);
    return 2;
  }
  const local = await readInputs(options);
  if ('error' in local) {
    out.stderr(`meridian models push: ${local.error}\n`);
    return 2;
  }
  const say = (line: string) => out.stdout(`${line}\n`);
  const api = new ControlPlane(options.url, options.apiKey);
  const label = `${options.model} ${options.version}`;
  try {
    const models = await api.request<{ items: { id: string; name: string }[] }>('GET', '/v1/models');
    let modelId = models.items.find((model) => model.name === options.model)?.id;
    if (!modelId) {
      modelId = (await api.request<{ id: string }>('POST', '/v1/models', { name: options.model, ...(options.description ? { description: options.description } : {}) })).id;
      say(`created model ${options.model}`);
    }
    const versionPath = `/v1/models/${modelId}/versions/${encodeURIComponent(options.version)}`;
    let current = await api.request<ModelVersion>('GET', versionPath, undefined, { notFound: 'absent' });

    if (current?.status === 'published') {
      if (current.artifact?.sha256 !== local.sha256) {
        out.stderr(`meridian models push: ${label} is already published with another artifact (sha256 ${current.artifact?.sha256 ?? 'none'}, this file ${local.sha256}); a published version never changes: push a new version\n`);
        return 1;
      }
      say(`${label} is already published with this artifact (sha256 ${local.sha256}); nothing to do`);
      say(`manifest ${current.manifestDigest} signed by ${current.keyId}`);
      return 0;
    }

    if (current && sameJson(current.card, local.card)) {
      say(`the model card of ${label} is already saved (draft)`);
    } else {
      current = await api.request<ModelVersion>('PUT', versionPath, { card: local.card });
      say(`saved the model card of ${label} (draft)`);
    }
    if (current.artifact?.sha256 === local.sha256) {
      say(`artifact already uploaded (sha256 ${local.sha256})`);
    } else {
      const body = Readable.toWeb(createReadStream(options.artifact)) as ReadableStream<Uint8Array>;
      current = await api.request<ModelVersion>('PUT', `${versionPath}/artifact`, body, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(local.size), 'x-artifact-sha256': local.sha256 },
      });
      say(`uploaded the artifact: ${local.size} bytes, sha256 ${local.sha256}`);
    }
    if (!options.publish) {
      say(`${label} is a draft: publish it with --publish, or from the portal`);
      return 0;
    }
    const published = await api.request<ModelVersion>('POST', `${versionPath}/publish`);
    say(`published ${label}: manifest ${published.manifestDigest} signed by ${published.keyId}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ControlPlaneError)) throw error;
    out.stderr(`meridian models push: ${label}: ${error.message}\n`);
    return 1;
  }
}

async function readInputs(options: PushOptions): Promise<{ card: unknown; sha256: string; size: number } | { error: string }> {
  let card: unknown;
  try {
    card = JSON.parse(await fs.readFile(options.card, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { error: `--card ${options.card}: ${reason}` };
  }
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return { error: `--card ${options.card}: a model card is a JSON object` };
  const stat = await fs.stat(options.artifact).catch(() => undefined);
  if (!stat?.isFile()) return { error: `--artifact ${options.artifact}: no such file` };
  if (stat.size === 0) return { error: `--artifact ${options.artifact}: the file is empty` };
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(options.artifact)) hash.update(chunk as Buffer);
  return { card, sha256: hash.digest('hex'), size: stat.size };
}

/** Equal as JSON values, whatever the order of object keys (the project's one canonical JSON). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
