import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditExportStream, verifyChain } from '@meridian/audit';
import { enrollAgent, startStack, storedChain, waitFor, waitForAuditUploaded, type TestStack } from './stack';

/**
 * The audit trail end to end with real processes: every decision an agent makes reaches the control
 * plane exactly once and the chain verifies — also across a control-plane outage and a kill -9 of the agent.
 */
/** The lines of a JSON Lines file, without their newlines. */
const linesOf = (text: string) => {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};

describe('audit trail end to end', () => {
  let stack: TestStack;
  let decisions = 0;
  const decide = async (country: string, n: number) => {
    for (let i = 0; i < n; i += 1) {
      const response = await stack.agents[country]!.local('POST', '/v1/decide', { category: 'model_outputs', action: 'infer' });
      expect(response.status).toBe(200);
      decisions += 1;
    }
  };
  const decisionCount = (nodeId: string) => stack.owner.auditEvent.count({ where: { sourceId: nodeId, type: 'policy.decision' } });

  beforeAll(async () => {
    stack = await startStack('audit_e2e', { worker: true });
    await enrollAgent(stack, 'ID');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('uploads every decision once and the chain verifies', async () => {
    await decide('ID', 25);
    const nodeId = stack.agents.ID!.nodeId;
    await waitFor(async () => (await decisionCount(nodeId)) === decisions, 10_000);
    const records = await storedChain(stack, nodeId);
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(new Set(records.map((r) => r.seq)).size).toBe(records.length);
  });

  it('keeps journaling while the control plane is down and delivers everything exactly once after', async () => {
    const nodeId = stack.agents.ID!.nodeId;
    await stack.controlPlane.stop('SIGKILL');
    await decide('ID', 40); // decided and journaled offline
    const offline = (await stack.agents.ID!.local('GET', '/v1/status')).body;
    expect(offline.connected).toBe(false);
    expect(offline.auditPendingEvents).toBeGreaterThanOrEqual(40); // the backlog the local status shows
    await stack.startControlPlane();
    await waitFor(async () => (await decisionCount(nodeId)) === decisions, 15_000);
    await waitForAuditUploaded(stack.agents.ID!, 15_000);
    expect(verifyChain(await storedChain(stack, nodeId))).toEqual({ ok: true });
  });

  it('loses nothing and duplicates nothing across a kill -9 of the agent', async () => {
    const nodeId = stack.agents.ID!.nodeId;
    const burst = Array.from({ length: 30 }, () => stack.agents.ID!.local('POST', '/v1/decide', { category: 'model_outputs', action: 'infer' }));
    await Promise.all(burst);
    decisions += 30;
    await stack.agents.ID!.process.stop('SIGKILL');
    const storedBefore = await decisionCount(nodeId);
    await stack.startAgent('ID');
    await decide('ID', 5);
    // every acknowledged event is still there, nothing is stored twice, the chain continues
    await waitFor(async () => (await decisionCount(nodeId)) >= decisions, 15_000).catch(() => undefined);
    const records = await storedChain(stack, nodeId);
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(new Set(records.map((r) => r.seq)).size).toBe(records.length);
    const stored = await decisionCount(nodeId);
    // strict durability (the default): a decision is answered only once its record is on disk, so
    // every answered decision survives the kill and is uploaded exactly once
    expect(stored).toBe(decisions);
    console.log(`after kill -9: ${stored} of ${decisions} decisions stored (acknowledged before the kill: ${storedBefore})`);
  });

  const checkpointNow = async () => {
    const job = await stack.api('POST', '/v1/audit/checkpoints');
    expect(job.status).toBe(202);
    await waitFor(async () => (await stack.api('GET', `/v1/jobs/${job.body.id}`)).body.state === 'completed', 10_000);
    return (await stack.api('GET', '/v1/audit/checkpoints')).body.items[0] as { treeSize: number; rootHash: string };
  };
  const cliDist = path.resolve(__dirname, '../../cli/dist');
  const verifyCli = (file: string, ...extra: string[]) => spawnSync(process.execPath, [path.join(cliDist, 'main.js'), 'audit', 'verify', file, ...extra], { encoding: 'utf8' });

  it('records admin changes in the same log, checkpoints it, and proves inclusion and consistency', async () => {
    const consent = await stack.api('PUT', `/v1/sites/${stack.siteIds.ID}/consent`, { flags: { vendor_remote_diagnostics: true } });
    expect(consent.status).toBe(200);
    const admin = await stack.api('GET', '/v1/audit/events?type=admin.consent.changed');
    expect(admin.body.items[0]).toMatchObject({ sourceId: 'control-plane', siteId: stack.siteIds.ID, actor: expect.stringMatching(/^user:/) });

    const first = await checkpointNow();
    // events keep arriving (the agent journals the bundle the consent change produced): the checkpoint covers those in the log
    expect(first.treeSize).toBe(await stack.owner.auditEvent.count({ where: { logIndex: { not: null } } }));
    expect(first.treeSize).toBeGreaterThanOrEqual(decisions);
    const nodeId = stack.agents.ID!.nodeId;
    const detail = await stack.api('GET', `/v1/audit/events/${nodeId}/3`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ chainIntact: true, inclusion: { verified: true, treeSize: first.treeSize } });

    await decide('ID', 7);
    await waitFor(async () => (await decisionCount(nodeId)) === decisions, 10_000);
    const second = await checkpointNow();
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    const consistency = await stack.api('GET', `/v1/audit/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`);
    expect(consistency.body).toMatchObject({ verified: true });
    expect((await stack.api('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true, checkpoint: { treeSize: second.treeSize } });
  });

  it('exports a bundle as a job with progress that the CLI verifies with the control plane stopped, and both name a tampered event', async () => {
    const keys = (await stack.api('GET', '/v1/signing-keys')).body.items as { keyId: string; publicKey: string }[];
    const pinned = keys.flatMap((k) => ['--trusted-key', `${k.keyId}=${k.publicKey}`]);
    const trustedKeys = new Map(keys.map((k) => [k.keyId, Buffer.from(k.publicKey, 'base64')]));
    const auditor = await stack.login('auditor@audit-firm.example');
    const requested = await stack.api('POST', '/v1/audit/exports', undefined, auditor);
    expect(requested).toMatchObject({ status: 202, body: { status: 'queued', progress: 0, requestedBy: expect.stringMatching(/^user:/) } });
    let view: { status: string; progress: number; sha256: string; downloadUrl: string; eventCount: number; treeSize: number } | undefined;
    await waitFor(async () => {
      view = (await stack.api('GET', `/v1/audit/exports/${requested.body.id}`, undefined, auditor)).body;
      return view?.status === 'completed';
    }, 20_000);
    expect(view).toMatchObject({ progress: 100, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(view!.eventCount).toBe(view!.treeSize);
    expect((await stack.api('GET', '/v1/audit/exports', undefined, auditor)).body.items[0]).toMatchObject({ id: requested.body.id, status: 'completed' });
    // the request itself is in the log
    expect((await stack.api('GET', '/v1/audit/events?type=admin.audit.export_requested')).body.items[0]).toMatchObject({ event: { data: { exportId: requested.body.id } } });

    const download = await fetch(`http://127.0.0.1:${stack.httpPort}${view!.downloadUrl}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="meridian-audit-${requested.body.id}.jsonl.gz"`);
    const gz = Buffer.from(await download.arrayBuffer());
    // the sha256 (view and header) is of the uncompressed file
    const file = gunzipSync(gz);
    expect(createHash('sha256').update(file).digest('hex')).toBe(view!.sha256);
    expect(download.headers.get('x-content-sha256')).toBe(view!.sha256);
    const lines = linesOf(file.toString('utf8'));
    const header = JSON.parse(lines[0]!) as { format: string; treeSize: number; requestedBy: string };
    expect(header).toMatchObject({ format: 'meridian.audit-export.v3', treeSize: view!.treeSize, requestedBy: requested.body.requestedBy });
    const checkpointLines = lines.filter((line) => line.startsWith('{"checkpoint":'));
    expect(checkpointLines.length).toBeGreaterThanOrEqual(2);
    const events = lines.filter((line) => line.startsWith('{"event":')).map((line) => (JSON.parse(line) as { event: { sourceId: string; seq: number; body: string } }).event);
    expect(events).toHaveLength(view!.eventCount);
    expect(await verifyAuditExportStream(lines, { trustedKeys })).toMatchObject({
      ok: true,
      events: view!.eventCount,
      sources: new Set(events.map((e) => e.sourceId)).size,
      checkpoints: checkpointLines.length,
      treeSize: view!.treeSize,
      rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'meridian-export-'));
    const bundleFile = path.join(dir, 'bundle.jsonl.gz');
    await fs.writeFile(bundleFile, gz);

    await stack.controlPlane.stop('SIGKILL');
    const verified = verifyCli(bundleFile, ...pinned);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^OK: \d+ events from \d+ sources; \d+ checkpoints up to tree size \d+/);
    expect(verified.stdout).toContain('(pinned keys)');
    const alias = spawnSync(process.execPath, [path.join(cliDist, 'verify.js'), bundleFile, '--json'], { encoding: 'utf8' });
    expect(alias.status).toBe(0);
    expect(JSON.parse(alias.stdout)).toMatchObject({ ok: true, events: events.length });
    // a key the auditor does not trust is refused, and so is a file that is not a bundle
    const wrongKey = verifyCli(bundleFile, '--trusted-key', `${keys[0]!.keyId}=${Buffer.alloc(32, 7).toString('base64')}`);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stdout).toMatch(/signature does not verify/);
    await fs.writeFile(path.join(dir, 'garbage.json'), '{"hello": 1}');
    const garbage = verifyCli(path.join(dir, 'garbage.json'));
    expect(garbage.status).toBe(1);
    expect(garbage.stdout).toMatch(/not an audit export/);
    expect(verifyCli(path.join(dir, 'missing.json')).status).toBe(2);
    // cut short (the end line lost): refused as such
    const cut = await verifyAuditExportStream(lines.slice(0, -1), { trustedKeys });
    expect(cut).toMatchObject({ ok: false, reason: expect.stringMatching(/cut short/) });

    // one byte of one exported event changed: the verifier and the CLI name it
    const victim = events.find((e) => e.body.includes('"infer"'))!;
    const tampered = lines.map((line) => {
      if (!line.startsWith('{"event":')) return line;
      const parsed = JSON.parse(line) as { event: { sourceId: string; seq: number; body: string } };
      if (parsed.event.sourceId !== victim.sourceId || parsed.event.seq !== victim.seq) return line;
      parsed.event.body = parsed.event.body.replace('"infer"', '"infeR"');
      return JSON.stringify(parsed);
    });
    expect(await verifyAuditExportStream(tampered, { trustedKeys })).toMatchObject({ ok: false, sourceId: victim.sourceId, seq: victim.seq, reason: expect.stringContaining(`event ${victim.sourceId}#${victim.seq} was altered`) });
    await fs.writeFile(path.join(dir, 'tampered.jsonl.gz'), gzipSync(`${tampered.join('\n')}\n`));
    const caught = verifyCli(path.join(dir, 'tampered.jsonl.gz'), ...pinned);
    expect(caught.status).toBe(1);
    expect(caught.stdout).toContain(`event ${victim.sourceId}#${victim.seq} was altered`);

    // one byte changed directly in PostgreSQL: the API's verification endpoint names it, and so does
    // the verifier on a fresh export streamed by GET /v1/audit/export (JSON Lines, uncompressed)
    await stack.startControlPlane();
    await stack.owner.$executeRawUnsafe(`UPDATE audit_events SET body = replace(body, '"infer"', '"infeR"') WHERE source_id = $1 AND seq = $2`, victim.sourceId, BigInt(victim.seq));
    const verdict = (await stack.api('GET', '/v1/audit/verify')).body;
    expect(verdict).toMatchObject({ ok: false, sourceId: victim.sourceId, seq: victim.seq, reason: expect.stringMatching(/altered/) });
    const detail = await stack.api('GET', `/v1/audit/events/${victim.sourceId}/${victim.seq}`);
    expect(detail.body.chainIntact).toBe(false);
    const fresh = await fetch(`http://127.0.0.1:${stack.httpPort}/v1/audit/export`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const freshText = await fresh.text();
    expect(await verifyAuditExportStream(linesOf(freshText), { trustedKeys })).toMatchObject({ ok: false, sourceId: victim.sourceId, seq: victim.seq });
    await fs.writeFile(path.join(dir, 'fresh.jsonl'), freshText);
    const fromDatabase = verifyCli(path.join(dir, 'fresh.jsonl'), ...pinned);
    expect(fromDatabase.status).toBe(1);
    expect(fromDatabase.stdout).toContain(`event ${victim.sourceId}#${victim.seq} was altered`);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
