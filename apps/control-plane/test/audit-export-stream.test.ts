import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRecord, verifyAuditExportStream, type AuditExportHeader, type ChainRecord } from '@meridian/audit';
import { createPrismaClient, readAuditExport, Role, storeAuditExport, withTenant, type PrismaClient } from '@meridian/db';
import { call, startHarness, startWorker, type Harness } from './harness';
import type { Spawned } from './processes';
import { until } from './until';

const SOURCES = 4;
const EVENTS_PER_SOURCE = 5_000;
const CHUNK_BYTES = 256 * 1024;

/** The lines of a JSON Lines text, without their newlines (what verifyAuditExportStream takes). */
const linesOf = (text: string) => {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Audit exports as streams (meridian.audit-export.v3): a real worker builds an export of 20,000 events
 * into gzip pieces of AUDIT_EXPORT_CHUNK_BYTES, the API streams them back in order, and the file is
 * the one a rebuild from the same log gives, byte for byte, and verifies.
 */
describe('audit export as a stream', () => {
  let h: Harness;
  let worker: Spawned;
  let app: PrismaClient;
  let auditor: string;
  let trustedKeys: Map<string, Uint8Array>;
  let treeSize: number;
  let checkpoints: number;

  const checkpointNow = async () => {
    const job = await call(h, 'POST', '/v1/audit/checkpoints', { token: await h.token('a', Role.vendor_admin) });
    expect(job.status).toBe(202);
    await until('checkpoint job', async () => (await call(h, 'GET', `/v1/jobs/${job.body.id}`, { token: await h.token('a', Role.vendor_admin) })).body.state === 'completed');
    return (await call(h, 'GET', '/v1/audit/checkpoints', { token: auditor })).body.items[0] as { treeSize: number };
  };
  /** Events of SOURCES synthetic nodes, each chain from its first record, inserted directly (what uploads store). */
  const seed = async (from: number, to: number) => {
    const tenantId = h.tenants.a.id;
    for (let source = 0; source < SOURCES; source += 1) {
      let previous: ChainRecord | undefined;
      const rows = [];
      for (let seq = 1; seq <= to; seq += 1) {
        const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
        const record = appendRecord(previous, { at, type: 'policy.decision', actor: `node:stream-${source}`, category: 'sensor_telemetry', decision: seq % 7 === 0 ? 'deny' : 'allow', data: { action: 'infer', request: seq } });
        previous = record;
        if (seq <= from) continue;
        rows.push({ tenantId, sourceId: `stream-${source}`, seq: BigInt(record.seq), prevHash: record.prevHash, hash: record.hash, body: record.body, type: 'policy.decision', actor: `node:stream-${source}`, occurredAt: new Date(at) });
      }
      for (let i = 0; i < rows.length; i += 2_500) await h.owner.auditEvent.createMany({ data: rows.slice(i, i + 2_500) });
    }
  };

  beforeAll(async () => {
    h = await startHarness('audit-export-stream');
    app = createPrismaClient({ url: h.db.appUrl, poolSize: 2 });
    auditor = await h.token('a', Role.auditor);
    worker = await startWorker(h, {
      AUDIT_EXPORT_CHUNK_BYTES: String(CHUNK_BYTES),
      // no checkpoint of its own between an export and its rebuild
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '86400',
      // each backlog of 10,000 taken into the log in several transactions
      AUDIT_CHECKPOINT_MAX_EVENTS: '3000',
    });
    // two checkpoints: the file carries both, and the verifier recomputes each one's root
    await seed(0, EVENTS_PER_SOURCE / 2);
    await checkpointNow();
    await seed(EVENTS_PER_SOURCE / 2, EVENTS_PER_SOURCE);
    treeSize = (await checkpointNow()).treeSize;
    expect(treeSize).toBeGreaterThanOrEqual(SOURCES * EVENTS_PER_SOURCE);
    checkpoints = await h.owner.auditCheckpoint.count({ where: { tenantId: h.tenants.a.id } });
    expect(checkpoints).toBeGreaterThanOrEqual(2);
    const keys = (await call(h, 'GET', '/v1/signing-keys', { token: await h.token('a', Role.vendor_admin) })).body.items as { keyId: string; publicKey: string }[];
    trustedKeys = new Map(keys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'base64')]));
  }, 180_000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await app?.$disconnect();
    await h?.close();
  });

  it('takes a backlog into the log in bounded transactions, each its own checkpoint, all in one job', async () => {
    const sizes = (await h.owner.auditCheckpoint.findMany({ where: { tenantId: h.tenants.a.id }, orderBy: { treeSize: 'asc' }, select: { treeSize: true } })).map((c) => Number(c.treeSize));
    expect(sizes.length).toBeGreaterThanOrEqual(8); // two jobs, 10,000 events each, at most 3,000 per checkpoint
    sizes.forEach((size, i) => expect(size - (sizes[i - 1] ?? 0)).toBeLessThanOrEqual(3000));
    expect(sizes.at(-1)).toBe(treeSize);
    expect(await h.owner.auditEvent.count({ where: { tenantId: h.tenants.a.id, logIndex: null } })).toBe(0);
  });

  let downloaded: string;

  it('stores an export of 20,000 events in several pieces, streams them back in order, and the file verifies', async () => {
    const requested = await call(h, 'POST', '/v1/audit/exports', { token: auditor });
    expect(requested.status).toBe(202);
    const id = requested.body.id as string;
    const view = await until(
      'export completed',
      async () => {
        const body = (await call(h, 'GET', `/v1/audit/exports/${id}`, { token: auditor })).body;
        expect(body.status).not.toBe('failed');
        return body.status === 'completed' && body;
      },
      60_000,
    );
    expect(view).toMatchObject({ progress: 100, treeSize, eventCount: treeSize, downloadUrl: `/v1/audit/exports/${id}/download` });

    // Pieces of exactly CHUNK_BYTES but the last: the worker held about one piece, not the file.
    const chunks = await h.owner.auditExportChunk.findMany({ where: { exportId: id }, orderBy: { chunk: 'asc' } });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.chunk)).toEqual(chunks.map((_, i) => i));
    for (const chunk of chunks.slice(0, -1)) expect(chunk.content.length).toBe(CHUNK_BYTES);
    expect(chunks[chunks.length - 1]!.content.length).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(chunks.every((c) => c.tenantId === h.tenants.a.id)).toBe(true);
    expect((await h.owner.auditExport.findUniqueOrThrow({ where: { id } })).content).toBeNull();

    const response = await fetch(`${h.baseUrl}${view.downloadUrl}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="meridian-audit-${id}.jsonl.gz"`);
    const gz = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(gz.length);
    expect(gz.equals(Buffer.concat(chunks.map((c) => c.content)))).toBe(true);
    const file = gunzipSync(gz);
    expect(response.headers.get('x-content-sha256')).toBe(view.sha256);
    expect(sha256(file)).toBe(view.sha256);
    expect(file.length).toBe(view.sizeBytes);
    downloaded = file.toString('utf8');
    console.log(`export of ${treeSize} events: ${file.length} bytes, ${gz.length} gzip'd, stored in ${chunks.length} pieces of ${CHUNK_BYTES}`);

    // verified as a stream: gunzip and split as the bytes come, holding no more than a line
    const lines = createInterface({ input: Readable.from([gz]).pipe(createGunzip()), crlfDelay: Infinity });
    const verdict = await verifyAuditExportStream(lines, { trustedKeys });
    expect(verdict).toMatchObject({ ok: true, events: treeSize, checkpoints, treeSize });
    expect(verdict.ok && verdict.sources).toBeGreaterThanOrEqual(SOURCES);

    // A rebuild from the same log (same header) gives the same file, byte for byte.
    const header = JSON.parse(linesOf(downloaded)[0]!) as AuditExportHeader;
    expect(header).toMatchObject({ format: 'meridian.audit-export.v3', tenantId: h.tenants.a.id, treeSize, requestedBy: view.requestedBy });
    const rebuilt = await withTenant(
      app,
      { tenantId: h.tenants.a.id },
      async (tx) => {
        let text = '';
        for await (const piece of readAuditExport(tx, { tenantId: header.tenantId, requestedBy: header.requestedBy, exportedAt: header.exportedAt })) text += piece;
        return text;
      },
      { timeoutMs: 60_000 },
    );
    expect(rebuilt.length).toBe(downloaded.length);
    expect(rebuilt === downloaded).toBe(true);
  });

  it('streams the same lines from GET /v1/audit/export, uncompressed, built in the request', async () => {
    const response = await fetch(`${h.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = linesOf(await response.text());
    expect(await verifyAuditExportStream(lines, { trustedKeys })).toMatchObject({ ok: true, events: treeSize, checkpoints, treeSize });
    // header (exportedAt, requestedBy) and end line (its digest covers the header) aside, the same file
    const stored = linesOf(downloaded);
    expect(lines.length).toBe(stored.length);
    expect(lines.slice(1, -1).join('\n') === stored.slice(1, -1).join('\n')).toBe(true);
    expect(JSON.parse(lines[lines.length - 1]!).end.counts).toEqual(JSON.parse(stored[stored.length - 1]!).end.counts);

    // nothing to export: an ordinary 404 problem, not an empty stream
    const empty = await call(h, 'GET', '/v1/audit/export', { token: await h.token('b', Role.auditor) });
    expect(empty.status).toBe(404);
    expect(empty.contentType).toMatch(/application\/problem\+json/);
  });

  it('ends the read transaction of GET /v1/audit/export when the client goes away mid-stream', async () => {
    const openTransactions = async () =>
      (
        await h.owner.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'meridian-api' AND (state LIKE 'idle in transaction%' OR state = 'active')`
      )[0]!.n;
    const controller = new AbortController();
    const response = await fetch(`${h.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${auditor}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(await openTransactions()).toBe(1); // held while the client has not taken the rest
    controller.abort();
    await until('the export transaction to end', async () => (await openTransactions()) === 0, 10_000);
    // and the API still answers with a whole file
    const again = await fetch(`${h.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(await verifyAuditExportStream(linesOf(await again.text()), { trustedKeys })).toMatchObject({ ok: true, treeSize });
  });

  it('cuts GET /v1/audit/export short (no end line) when the log fails to read mid-stream', async () => {
    const tenantId = h.tenants.a.id;
    // a hole in the log, far enough in that the first lines are already sent
    const position = BigInt(treeSize - 10);
    const [moved] = await h.owner.$queryRaw<{ source_id: string; seq: bigint }[]>`
      UPDATE audit_events SET log_index = log_index + 1000000 WHERE tenant_id = ${tenantId}::uuid AND log_index = ${position} RETURNING source_id, seq`;
    try {
      const response = await fetch(`${h.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${auditor}` } });
      expect(response.status).toBe(200);
      let text = '';
      const decoder = new TextDecoder();
      try {
        for await (const piece of response.body!) text += decoder.decode(piece, { stream: true });
      } catch {
        // the connection is cut: what came is what the auditor has
      }
      const lines = text.split('\n').filter((line) => line !== '');
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.some((line) => line.startsWith('{"end":'))).toBe(false);
      expect(await verifyAuditExportStream(lines, { trustedKeys })).toMatchObject({ ok: false });
    } finally {
      await h.owner.$executeRaw`UPDATE audit_events SET log_index = ${position} WHERE tenant_id = ${tenantId}::uuid AND source_id = ${moved!.source_id} AND seq = ${moved!.seq}`;
    }
  });

  it('stores nothing when the build fails half-way: the pieces roll back with the transaction', async () => {
    const tenantId = h.tenants.a.id;
    const exportId = (await h.owner.auditExport.create({ data: { tenantId, requestedBy: 'user:rollback' } })).id;
    let inserted = 0;
    const failing = withTenant(
      app,
      { tenantId },
      (tx) =>
        storeAuditExport(
          tx,
          exportId,
          { tenantId, requestedBy: 'user:rollback' },
          {
            chunkBytes: 4_096,
            pageSize: 1_000,
            onProgress: async (percent) => {
              inserted = await tx.auditExportChunk.count({ where: { exportId } });
              if (percent >= 50) throw new Error('the worker went away');
            },
          },
        ),
      { timeoutMs: 60_000 },
    );
    await expect(failing).rejects.toThrow(/the worker went away/);
    expect(inserted).toBeGreaterThan(1); // pieces were written as the gzip output filled them...
    expect(await h.owner.auditExportChunk.count({ where: { exportId } })).toBe(0); // ...and none was kept
  });

  it('downloads an export made before v3 (one gzip value in audit_exports.content) as its v2 JSON, as before', async () => {
    const json = Buffer.from(JSON.stringify({ manifest: { format: 'meridian.audit-export.v2' }, events: [] }));
    const row = await h.owner.auditExport.create({
      data: { id: randomUUID(), tenantId: h.tenants.a.id, requestedBy: 'user:legacy', status: 'completed', progress: 100, content: gzipSync(json), sha256: sha256(json), sizeBytes: BigInt(json.length), treeSize: 1n, eventCount: 1 },
    });
    const response = await fetch(`${h.baseUrl}/v1/audit/exports/${row.id}/download`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="meridian-audit-${row.id}.json"`);
    expect(response.headers.get('x-content-sha256')).toBe(sha256(json));
    expect(Buffer.from(await response.arrayBuffer()).equals(json)).toBe(true);
    // another tenant sees neither kind
    const other = await call(h, 'GET', `/v1/audit/exports/${row.id}/download`, { token: await h.token('b', Role.auditor) });
    expect(other.status).toBe(404);
  });

  it('gives a browser a single-use link to the file that needs no Authorization header, for that export of that tenant only', async () => {
    const json = Buffer.from(JSON.stringify({ manifest: { format: 'meridian.audit-export.v2' }, events: [] }));
    const make = (tenantId: string, status: 'completed' | 'queued' = 'completed') =>
      h.owner.auditExport.create({ data: { id: randomUUID(), tenantId, requestedBy: 'user:link', status, progress: 100, content: gzipSync(json), sha256: sha256(json), sizeBytes: BigInt(json.length), treeSize: 1n, eventCount: 1 } });
    const mine = await make(h.tenants.a.id);
    const theirs = await make(h.tenants.b.id);
    const linkTo = (id: string, token = auditor) => call(h, 'POST', `/v1/audit/exports/${id}/download-link`, { token });

    const link = await linkTo(mine.id);
    expect(link.status).toBe(200);
    expect(link.body.url).toMatch(new RegExp(`^/v1/audit/exports/${mine.id}/file\\?token=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
    expect(new Date(link.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    const first = await fetch(`${h.baseUrl}${link.body.url}`); // no Authorization header
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toBe(`attachment; filename="meridian-audit-${mine.id}.json"`);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('x-content-sha256')).toBe(sha256(json));
    expect(Buffer.from(await first.arrayBuffer()).equals(json)).toBe(true);
    const again = await fetch(`${h.baseUrl}${link.body.url}`);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ detail: expect.stringMatching(/already used/) });

    // A link opens its own export only: at another export's address (another tenant's) or altered, it is refused, and not used up.
    const second = await linkTo(mine.id);
    const token = new URL(second.body.url, h.baseUrl).searchParams.get('token')!;
    const elsewhere = await fetch(`${h.baseUrl}/v1/audit/exports/${theirs.id}/file?token=${token}`);
    expect(elsewhere.status).toBe(401);
    expect(await elsewhere.json()).toMatchObject({ detail: 'not a valid download link for this export' });
    const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await fetch(`${h.baseUrl}/v1/audit/exports/${mine.id}/file?token=${altered}`)).status).toBe(401);
    expect((await fetch(`${h.baseUrl}/v1/audit/exports/${mine.id}/file`)).status).toBe(400);
    expect((await fetch(`${h.baseUrl}${second.body.url}`)).status).toBe(200);

    // Who may have a link: exporters of the export's tenant, once it is completed.
    expect((await linkTo(mine.id, await h.token('b', Role.auditor))).status).toBe(404);
    expect((await linkTo(mine.id, await h.token('a', Role.integrator_admin))).status).toBe(403);
    expect((await linkTo((await make(h.tenants.a.id, 'queued')).id)).status).toBe(409);
  });

  it('shares one read of the log among overlapping GET /v1/audit/verify requests of a tenant', async () => {
    // Reads of the log's chains waiting behind a lock on it, in this test's database.
    const waiting = async () =>
      Number(
        (
          await h.owner.$queryRaw<{ n: bigint }[]>`
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'SELECT source_id, seq, prev_hash, hash, body FROM audit_events%'`
        )[0]!.n,
      );
    let pending: Promise<{ status: number; body: any }>[] = [];
    await h.owner.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE`;
        pending = [auditor, auditor, await h.token('a', Role.vendor_admin)].map((token) => call(h, 'GET', '/v1/audit/verify', { token }));
        await until('a verification waits on the lock', async () => (await waiting()) >= 1, 15_000);
        // Time for the other two to have started reads of their own, were they not sharing.
        await new Promise((resolve) => setTimeout(resolve, 750));
        expect(await waiting()).toBe(1);
      },
      { timeout: 30_000 },
    );
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[1]!.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body).toMatchObject({ ok: true });
    // Once answered, the next request reads the log again: a later change is seen.
    const victim = await h.owner.auditEvent.findFirstOrThrow({ where: { tenantId: h.tenants.a.id, logIndex: 7n } });
    await h.owner.auditEvent.updateMany({ where: { tenantId: h.tenants.a.id, sourceId: victim.sourceId, seq: victim.seq }, data: { body: victim.body.replace('{', '{"tampered":true,') } });
    try {
      expect((await call(h, 'GET', '/v1/audit/verify', { token: auditor })).body).toMatchObject({ ok: false, sourceId: victim.sourceId, seq: Number(victim.seq) });
    } finally {
      await h.owner.auditEvent.updateMany({ where: { tenantId: h.tenants.a.id, sourceId: victim.sourceId, seq: victim.seq }, data: { body: victim.body } });
    }
  });

  it('re-verifies the log as a worker job an auditor follows, naming an altered event', async () => {
    const verification = async (token = auditor) => {
      const job = await call(h, 'POST', '/v1/audit/verifications', { token });
      expect(job.status).toBe(202);
      return until(
        'verification job',
        async () => {
          const view = (await call(h, 'GET', `/v1/audit/verifications/${job.body.id}`, { token })).body;
          expect(view.state).not.toBe('failed');
          return view.state === 'completed' && view;
        },
        60_000,
      );
    };
    const intact = await verification();
    expect(intact.result).toMatchObject({ ok: true, checkpoint: { treeSize: expect.any(Number) } });
    expect(intact.result.events).toBeGreaterThanOrEqual(treeSize);
    // Its last progress: the tree stage done, every leaf of the checkpoint re-hashed.
    const checked = intact.result.checkpoint.treeSize;
    expect(intact.progress).toEqual({ stage: 'tree', done: checked, total: checked, percent: 100 });

    const victim = await h.owner.auditEvent.findFirstOrThrow({ where: { tenantId: h.tenants.a.id, logIndex: 1234n } });
    await h.owner.auditEvent.updateMany({ where: { tenantId: h.tenants.a.id, sourceId: victim.sourceId, seq: victim.seq }, data: { body: victim.body.replace('"infer"', '"infeR"') } });
    try {
      const broken = await verification();
      expect(broken.result).toMatchObject({ ok: false, sourceId: victim.sourceId, seq: Number(victim.seq), reason: expect.stringMatching(/altered/) });
      // It stopped at the altered event, in the chains stage: its progress says so instead of 100 %.
      expect(broken.progress.stage).toBe('chains');
      expect(broken.progress.percent).toBeLessThan(100);
    } finally {
      await h.owner.auditEvent.updateMany({ where: { tenantId: h.tenants.a.id, sourceId: victim.sourceId, seq: victim.seq }, data: { body: victim.body } });
    }
    // While one is waiting or running (here: held by a lock on the log), asking again gives that job, whoever asks.
    const [first, again, otherAuditor] = await h.owner.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE`;
        const started = await call(h, 'POST', '/v1/audit/verifications', { token: auditor });
        await until('verification running', async () => (await call(h, 'GET', `/v1/audit/verifications/${started.body.id}`, { token: auditor })).body.state === 'active', 15_000);
        return [started, await call(h, 'POST', '/v1/audit/verifications', { token: auditor }), await call(h, 'POST', '/v1/audit/verifications', { token: await h.token('a', Role.auditor) })];
      },
      { timeout: 30_000 },
    );
    expect([again.status, otherAuditor.status]).toEqual([202, 202]);
    expect([again.body.id, otherAuditor.body.id]).toEqual([first.body.id, first.body.id]);
    await until('shared verification done', async () => (await call(h, 'GET', `/v1/audit/verifications/${first.body.id}`, { token: auditor })).body.state === 'completed', 60_000);
    // Finished: the next request is a new verification. Another tenant's has its own.
    expect((await verification()).id).not.toBe(first.body.id);
    const tenantB = await call(h, 'POST', '/v1/audit/verifications', { token: await h.token('b', Role.auditor) });
    expect(tenantB.status).toBe(202);

    // Another tenant's verifier sees no such job; someone who may not verify cannot ask for one.
    expect((await call(h, 'GET', `/v1/audit/verifications/${intact.id}`, { token: await h.token('b', Role.auditor) })).status).toBe(404);
    expect((await call(h, 'POST', '/v1/audit/verifications', { token: await h.token('a', Role.integrator_admin) })).status).toBe(403);
  });
});
