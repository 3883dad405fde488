import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { gunzipSync, createGunzip } from 'node:zlib';
import { AUDIT_EXPORT_STREAM_FORMAT, verifyAuditExport, verifyAuditExportStream, type ExportVerification } from '@meridian/audit';

export const AUDIT_VERIFY_USAGE = `usage: meridian audit verify <bundle.jsonl.gz | bundle.jsonl | bundle.json> [--trusted-key <keyId>=<base64 public key>]... [--since <earlier bundle>] [--json]

Verifies a Meridian audit export bundle offline, with none of Meridian's servers: every event's hash
and every source's hash chain, the Merkle root at every signed checkpoint's tree size, every
checkpoint signature, and the bundle's own digest (a file cut short is reported as such). Bundles
(v3: JSON Lines, gzip'd or not) are read as a stream, so their size is bounded by the disk, not by
memory; older v2 bundles (one JSON document) are still accepted.
Pin the tenant's signing key with --trusted-key (obtained out of band) for a check that does not
rely on keys inside the file.
--since <earlier bundle> (one you verified before, of the same log) also checks that this bundle
extends it: the first events here must hash to the earlier bundle's newest signed root, so nothing
it held was changed, removed or reordered since (both bundles are verified; this one must be v3).
Exit codes: 0 verified, 1 verification failed (the first bad record is named), 2 bad usage or input.`;

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function auditVerify(argv: string[], out: CommandOutput): Promise<number> {
  const args = [...argv];
  const json = args.includes('--json');
  const trusted = new Map<string, Buffer>();
  const files: string[] = [];
  let since: string | undefined;
  const fail = (message: string): number => {
    out.stderr(`meridian audit verify: ${message}\n\n${AUDIT_VERIFY_USAGE}\n`);
    return 2;
  };
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '--json') continue;
    if (arg === '-h' || arg === '--help') {
      out.stdout(`${AUDIT_VERIFY_USAGE}\n`);
      return 0;
    }
    if (arg === '--trusted-key') {
      const value = args.shift() ?? '';
      const separator = value.indexOf('=');
      const keyId = separator > 0 ? value.slice(0, separator) : '';
      const raw = Buffer.from(separator > 0 ? value.slice(separator + 1) : '', 'base64');
      if (!keyId || raw.length !== 32) return fail(`--trusted-key expects <keyId>=<base64 of a 32-byte Ed25519 public key>, got "${value}"`);
      trusted.set(keyId, raw);
      continue;
    }
    if (arg === '--since') {
      since = args.shift();
      if (!since || since.startsWith('-')) return fail('--since expects the path of an earlier bundle');
      continue;
    }
    if (arg.startsWith('-')) return fail(`unknown option ${arg}`);
    files.push(arg);
  }
  if (files.length !== 1) return fail('give exactly one bundle file');
  const options = trusted.size ? { trustedKeys: trusted } : {};
  let result: FileVerification;
  let earlier: FileVerification | undefined;
  try {
    if (since) earlier = await verifyFile(since, options);
  } catch (error) {
    return fail(`cannot read ${since}: ${(error as Error).message}`);
  }
  try {
    result = await verifyFile(files[0]!, { ...options, ...(earlier?.ok ? { rootAt: earlier.treeSize } : {}) });
  } catch (error) {
    return fail(`cannot read ${files[0]}: ${(error as Error).message}`);
  }
  if (earlier?.ok && result.ok && result.format !== 'v3') return fail('--since checks a v3 bundle (JSON Lines) against the earlier one; export this log again to get one');
  const extension = since && earlier ? { file: since, ...extendsEarlier(earlier, result) } : undefined;
  const ok = result.ok && (extension?.ok ?? true);
  if (json) out.stdout(`${JSON.stringify({ ...withoutFormat(result), ...(extension ? { since: extension } : {}) })}\n`);
  else if (!result.ok) out.stdout(`FAILED: ${result.reason}${whereOf(result)}\n`);
  else {
    const keyNote = trusted.size ? ' (pinned keys)' : ' (keys from the bundle: pin them with --trusted-key)';
    out.stdout(`${ok ? 'OK' : 'FAILED'}: ${result.events} events from ${result.sources} sources; ${result.checkpoints} checkpoints up to tree size ${result.treeSize}, root ${result.rootHash}; signed by ${result.keyIds.join(', ')}${keyNote}\n`);
    if (extension) out.stdout(`${extension.ok ? 'extends' : 'does NOT extend'} ${since}: ${extension.detail}\n`);
  }
  return ok ? 0 : 1;
}

type FileVerification = ExportVerification & { format?: 'v2' | 'v3' };

/** Whether `later` (verified) holds the earlier bundle's log unchanged as its beginning. */
function extendsEarlier(earlier: ExportVerification, later: FileVerification): { ok: boolean; detail: string } {
  if (!earlier.ok) return { ok: false, detail: `it does not verify itself: ${earlier.reason}${whereOf(earlier)}` };
  if (!later.ok) return { ok: false, detail: 'this bundle does not verify (above)' };
  if (earlier.logId !== later.logId) return { ok: false, detail: `it is of another log (${earlier.logId}, this one is ${later.logId})` };
  if (!later.rootAt) return { ok: false, detail: `it holds ${earlier.treeSize} events, this bundle only ${later.treeSize}: the log lost events since` };
  if (later.rootAt.rootHash !== earlier.rootHash) {
    return { ok: false, detail: `the first ${earlier.treeSize} events here have Merkle root ${later.rootAt.rootHash}, its newest checkpoint signed ${earlier.rootHash}: the log was rewritten between the two exports` };
  }
  return { ok: true, detail: `the first ${earlier.treeSize} events here hash to its newest signed root ${earlier.rootHash}` };
}

function whereOf(result: ExportVerification): string {
  if (result.ok || result.sourceId === undefined) return '';
  return ` [source ${result.sourceId}${result.seq !== undefined ? `, seq ${result.seq}` : ''}${result.logIndex !== undefined ? `, log index ${result.logIndex}` : ''}]`;
}

function withoutFormat(result: FileVerification): ExportVerification {
  const { format: _format, ...rest } = result as FileVerification & { format?: string };
  return rest as ExportVerification;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** v3 bundles stream line by line; a v2 bundle (one JSON document, from before v3) is read whole. */
async function verifyFile(file: string, options: { trustedKeys?: ReadonlyMap<string, Uint8Array>; rootAt?: number }): Promise<FileVerification> {
  const handle = await fs.open(file, 'r');
  const start = Buffer.alloc(2);
  try {
    await handle.read(start, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzipped = start.equals(GZIP_MAGIC);
  const lines = readLines(file, gzipped);
  const first = await lines.next();
  if (first.done) return { ok: false, reason: 'empty file: not an audit export' };
  if (isStreamHeader(first.value)) {
    const verified = await verifyAuditExportStream(
      (async function* () {
        yield first.value;
        yield* lines;
      })(),
      options,
    );
    return { ...verified, format: 'v3' };
  }
  await lines.return(undefined);
  const raw = await fs.readFile(file);
  let data: unknown;
  try {
    data = JSON.parse((gzipped ? gunzipSync(raw) : raw).toString('utf8'));
  } catch (error) {
    throw new Error(`neither a v3 bundle (JSON Lines) nor a v2 bundle (JSON): ${(error as Error).message}`);
  }
  return { ...verifyAuditExport(data, options), format: 'v2' };
}

function isStreamHeader(line: string): boolean {
  try {
    return (JSON.parse(line) as { format?: unknown }).format === AUDIT_EXPORT_STREAM_FORMAT;
  } catch {
    return false;
  }
}

async function* readLines(file: string, gzipped: boolean): AsyncGenerator<string, void, undefined> {
  const source = createReadStream(file);
  const input = gzipped ? source.pipe(createGunzip()) : source;
  source.on('error', (error) => input.destroy(error));
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of reader) yield line;
  } finally {
    reader.close();
    source.destroy();
  }
}
