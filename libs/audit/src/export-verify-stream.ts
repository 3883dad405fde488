import { createHash } from 'node:crypto';
import { GENESIS_HASH, recordHash } from './chain';
import { verifyCheckpoint, type Checkpoint } from './checkpoint';
import { logLeafBytes, type ExportVerification } from './export';
import { AUDIT_EXPORT_STREAM_FORMAT, type AuditExportEnd, type AuditExportHeader } from './export-stream';
import { leafHash, MerkleAccumulator } from './merkle';

type Line = { signingKey?: unknown; checkpoint?: unknown; event?: unknown; end?: unknown; format?: unknown };

/**
 * Verifies a v3 bundle (see export-stream.ts) line by line, holding only one link per source, the
 * checkpoints and O(log n) Merkle nodes: the format, the order of the sections, every record's hash
 * and every source's chain, the Merkle root at every checkpoint's tree size against that checkpoint,
 * every checkpoint's signature (keys pinned by the auditor when given, else the bundle's own), and
 * the end line's counts and digest of the whole file, which also shows it was not cut short. The
 * first problem is named, with the line it is on.
 */
export async function verifyAuditExportStream(
  lines: AsyncIterable<string> | Iterable<string>,
  options: {
    trustedKeys?: ReadonlyMap<string, Uint8Array>;
    /** Also give the Merkle root of the first `rootAt` events (to hold an earlier bundle's checkpoint against this one). */
    rootAt?: number;
  } = {},
): Promise<ExportVerification> {
  const digest = createHash('sha256');
  const bundleKeys = new Map<string, Uint8Array>();
  const checkpoints: Checkpoint[] = [];
  const heads = new Map<string, { seq: number; hash: string }>();
  const tree = new MerkleAccumulator();
  let header: AuditExportHeader | undefined;
  let end: AuditExportEnd | undefined;
  let stage: 'header' | 'keys' | 'checkpoints' | 'events' = 'header';
  let nextCheckpoint = 0;
  let lineNumber = 0;
  const fail = (reason: string, at: { sourceId?: string; seq?: number; logIndex?: number } = {}): ExportVerification => ({ ok: false, reason: `line ${lineNumber}: ${reason}`, ...at });
  const keyOf = (keyId: string) => (options.trustedKeys ? options.trustedKeys.get(keyId) : bundleKeys.get(keyId));
  /** Checks each checkpoint whose tree size the events have now reached. */
  let rootAt: { treeSize: number; rootHash: string } | undefined;
  const checkReached = (): ExportVerification | undefined => {
    if (options.rootAt === tree.size && !rootAt) rootAt = { treeSize: tree.size, rootHash: tree.root().toString('hex') };
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.treeSize === tree.size) {
      const checkpoint = checkpoints[nextCheckpoint]!;
      const root = tree.root().toString('hex');
      if (root !== checkpoint.rootHash) return fail(`checkpoint ${checkpoint.treeSize}: the events up to it have Merkle root ${root}, the checkpoint says ${checkpoint.rootHash}: the log was rewritten`);
      nextCheckpoint += 1;
    }
    return undefined;
  };

  for await (const text of lines) {
    lineNumber += 1;
    if (end) return fail('content after the end line');
    if (text === '') return fail('empty line');
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return fail('not JSON');
    }
    if (!line || typeof line !== 'object' || Array.isArray(line)) return fail('not a JSON object');
    if (line.end !== undefined) {
      end = line.end as AuditExportEnd;
      if (!end || typeof end !== 'object' || typeof end.sha256 !== 'string' || !end.counts || typeof end.counts !== 'object') return fail('malformed end line');
      continue;
    }
    digest.update(`${text}\n`);

    if (stage === 'header') {
      if (line.format !== AUDIT_EXPORT_STREAM_FORMAT) return fail(`unsupported format ${String(line.format)} (expected ${AUDIT_EXPORT_STREAM_FORMAT})`);
      const h = line as unknown as AuditExportHeader;
      if (typeof h.tenantId !== 'string' || !Number.isSafeInteger(h.treeSize) || h.treeSize < 0) return fail('malformed header');
      header = h;
      stage = 'keys';
      continue;
    }
    if (line.signingKey !== undefined) {
      if (stage !== 'keys') return fail('a signing key after the checkpoints or events');
      const key = line.signingKey as { keyId?: unknown; publicKey?: unknown };
      if (typeof key?.keyId !== 'string' || typeof key.publicKey !== 'string') return fail('malformed signing key');
      bundleKeys.set(key.keyId, Buffer.from(key.publicKey, 'base64'));
      continue;
    }
    if (line.checkpoint !== undefined) {
      if (stage === 'events') return fail('a checkpoint after the events');
      stage = 'checkpoints';
      const c = line.checkpoint as Checkpoint;
      if (!c || !Number.isSafeInteger(c.treeSize) || typeof c.rootHash !== 'string' || typeof c.signature !== 'string' || typeof c.keyId !== 'string' || typeof c.logId !== 'string' || typeof c.timestamp !== 'string') {
        return fail('malformed checkpoint');
      }
      const previous = checkpoints[checkpoints.length - 1];
      if (previous && c.treeSize <= previous.treeSize) return fail(`checkpoints are not in growing order at ${c.treeSize}`);
      if (c.treeSize > header!.treeSize) return fail(`checkpoint ${c.treeSize} is beyond the bundle's tree size ${header!.treeSize}`);
      if (c.logId !== header!.tenantId) return fail(`checkpoint ${c.treeSize} is for another log`);
      const key = keyOf(c.keyId);
      if (!key) return fail(`checkpoint ${c.treeSize} is signed by key ${c.keyId}, which is not trusted`);
      if (!verifyCheckpoint(c, key)) return fail(`checkpoint ${c.treeSize}: signature does not verify`);
      checkpoints.push(c);
      continue;
    }
    if (line.event !== undefined) {
      if (stage !== 'checkpoints' && stage !== 'events') return fail('an event before any checkpoint');
      if (stage === 'checkpoints') {
        const problem = checkReached(); // a checkpoint of tree size 0
        if (problem) return problem;
      }
      stage = 'events';
      const e = line.event as { logIndex: number; sourceId: string; seq: number; prevHash: string; hash: string; body: string };
      if (!e || typeof e.sourceId !== 'string' || !Number.isSafeInteger(e.seq) || !Number.isSafeInteger(e.logIndex) || typeof e.hash !== 'string' || typeof e.prevHash !== 'string' || typeof e.body !== 'string') {
        return fail('malformed event');
      }
      const at = { sourceId: e.sourceId, seq: e.seq, logIndex: e.logIndex };
      if (e.logIndex !== tree.size) return fail(`log position ${tree.size} is missing or out of order (found ${e.logIndex})`, at);
      if (recordHash(e.prevHash, e.seq, e.body) !== e.hash) return fail(`event ${e.sourceId}#${e.seq} was altered (its hash no longer matches its content)`, at);
      const head = heads.get(e.sourceId) ?? { seq: 0, hash: GENESIS_HASH };
      if (e.seq !== head.seq + 1) return fail(`chain of ${e.sourceId}: record ${e.seq} follows record ${head.seq}`, at);
      if (e.prevHash !== head.hash) return fail(`chain of ${e.sourceId}: record ${e.seq} does not link to record ${head.seq}`, at);
      heads.set(e.sourceId, { seq: e.seq, hash: e.hash });
      tree.push(leafHash(logLeafBytes(e)));
      if (tree.size > header!.treeSize) return fail(`more events than the bundle's tree size ${header!.treeSize}`, at);
      const problem = checkReached();
      if (problem) return problem;
      continue;
    }
    return fail('a line of no known kind (expected signingKey, checkpoint, event or end)');
  }

  if (!header) return { ok: false, reason: 'empty file: not an audit export' };
  if (!end) return { ok: false, reason: `the file ends at line ${lineNumber} without its end line: it was cut short` };
  if (stage === 'checkpoints') {
    const problem = checkReached();
    if (problem) return problem;
  }
  const newest = checkpoints[checkpoints.length - 1];
  if (!newest) return { ok: false, reason: 'the bundle holds no checkpoint' };
  if (tree.size !== newest.treeSize || newest.treeSize !== header.treeSize) return { ok: false, reason: `the bundle holds ${tree.size} events, its newest checkpoint covers ${newest.treeSize}` };
  if (nextCheckpoint !== checkpoints.length) return { ok: false, reason: `checkpoint ${checkpoints[nextCheckpoint]!.treeSize} was never reached by the events` };
  const counts = { events: tree.size, sources: heads.size, checkpoints: checkpoints.length, signingKeys: bundleKeys.size };
  for (const name of Object.keys(counts) as (keyof typeof counts)[]) {
    if (end.counts[name] !== counts[name]) return { ok: false, reason: `the end line counts ${end.counts[name]} ${name}, the file holds ${counts[name]}` };
  }
  if (digest.digest('hex') !== end.sha256) return { ok: false, reason: 'the file does not match the digest of its end line' };
  return {
    ok: true,
    logId: header.tenantId,
    events: tree.size,
    sources: heads.size,
    checkpoints: checkpoints.length,
    treeSize: newest.treeSize,
    rootHash: tree.root().toString('hex'),
    keyIds: [...new Set(checkpoints.map((c) => c.keyId))],
    ...(rootAt ? { rootAt } : {}),
  };
}
