import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, Role, type PrismaClient } from '@meridian/db';
import { createEmptyDatabase, createTestDatabase, describeCatalog, runSql, type TestDatabase } from '@meridian/db/testing';

const repoRoot = path.resolve(__dirname, '../../..');

describe('schema and migrations', () => {
  let db: TestDatabase;
  let owner: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase('schema');
    owner = createPrismaClient({ url: db.ownerUrl, poolSize: 2 });
  });
  afterAll(async () => {
    await owner?.$disconnect();
    await db?.drop();
  });

  it('has no drift between prisma/schema.prisma and the committed migrations', async () => {
    // Build a second database straight from schema.prisma (Prisma's own DDL for it) and compare the
    // catalogs: columns, types, defaults, indexes, foreign keys and enums must be identical.
    const fromSchema = await createEmptyDatabase('drift');
    try {
      const ddl = spawnSync(process.execPath, [path.join(repoRoot, 'tools/prisma-migrate/run.mjs'), 'diff-from-empty'], {
        env: { ...process.env, DATABASE_URL: db.ownerUrl },
        encoding: 'utf8',
      });
      expect(ddl.status, ddl.stderr).toBe(0);
      expect(ddl.stdout).toMatch(/CREATE TABLE/);
      await runSql(fromSchema.ownerUrl, ddl.stdout);
      const [migrated, declared] = await Promise.all([describeCatalog(db.ownerUrl), describeCatalog(fromSchema.ownerUrl)]);
      expect(migrated.columns.length).toBeGreaterThan(50);
      expect(migrated).toEqual(declared);
    } finally {
      await fromSchema.drop();
    }
  });

  it('reports every migration applied', () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'tools/prisma-migrate/run.mjs'), 'status'], {
      env: { ...process.env, DATABASE_URL: db.ownerUrl },
      encoding: 'utf8',
    });
    expect(result.stdout).toMatch(/Database schema is up to date/);
    // Prisma 6's warning about the url it requires and does not use is not passed on to operators.
    expect(result.stdout).toMatch(/using driver adapter/);
    expect(result.stdout).not.toMatch(/WARNING/);
  });

  it('reads and writes every model through the generated client', async () => {
    const tenant = await owner.tenant.create({ data: { slug: 'acme', name: 'Acme' } });
    const org = await owner.integratorOrganization.create({ data: { tenantId: tenant.id, name: 'Integrator' } });
    const user = await owner.user.create({ data: { email: 'a@acme.example', displayName: 'A', passwordHash: 'x' } });
    const membership = await owner.membership.create({
      data: { tenantId: tenant.id, userId: user.id, role: Role.integrator_admin, integratorOrgId: org.id },
    });
    const apiKey = await owner.apiKey.create({
      data: { tenantId: tenant.id, name: 'ci', prefix: 'mk_abc', keyHash: 'h1', role: Role.vendor_engineer },
    });
    const refresh = await owner.refreshToken.create({
      data: { tenantId: tenant.id, userId: user.id, familyId: user.id, tokenHash: 'h2', expiresAt: new Date(Date.now() + 60_000) },
    });
    const site = await owner.site.create({ data: { tenantId: tenant.id, name: 'Plant', country: 'ID', region: 'West Java', integratorOrgId: org.id } });
    const node = await owner.edgeNode.create({ data: { tenantId: tenant.id, siteId: site.id, name: 'gw-1', labels: { line: 'A' } } });
    const token = await owner.enrollmentToken.create({
      data: { tenantId: tenant.id, siteId: site.id, tokenHash: 'h3', expiresAt: new Date(Date.now() + 60_000) },
    });

    const signingKey = await owner.tenantSigningKey.create({
      data: { tenantId: tenant.id, keyId: 'tsk_0123456789abcdef', publicKey: 'pk', encryptedPrivateKey: 'enc' },
    });
    expect(await owner.tenantSigningKey.findUnique({ where: { keyId: 'tsk_0123456789abcdef' } })).toMatchObject({ id: signingKey.id, status: 'active' });

    const readBack = await owner.site.findUniqueOrThrow({
      where: { tenantId_id: { tenantId: tenant.id, id: site.id } },
      include: { nodes: true, enrollmentTokens: true, organization: { include: { memberships: true } } },
    });
    expect(readBack.nodes[0]).toMatchObject({ id: node.id, labels: { line: 'A' }, status: 'pending' });
    expect(readBack.enrollmentTokens[0]).toMatchObject({ id: token.id, status: 'active' });
    expect(readBack.organization?.memberships[0]?.id).toBe(membership.id);
    expect(await owner.apiKey.findUnique({ where: { keyHash: 'h1' } })).toMatchObject({ id: apiKey.id });
    expect(await owner.refreshToken.findUnique({ where: { tokenHash: 'h2' } })).toMatchObject({ id: refresh.id });
    const updated = await owner.edgeNode.update({ where: { id: node.id }, data: { status: 'online', lastSeenAt: new Date() } });
    expect(updated.status).toBe('online');

    const exported = await owner.auditExport.create({ data: { tenantId: tenant.id, requestedBy: `user:${user.id}` } });
    await owner.auditExport.update({ where: { id: exported.id }, data: { status: 'completed', progress: 100, content: Buffer.from([1, 2, 3]), treeSize: 3n } });
    expect(await owner.auditExport.findUniqueOrThrow({ where: { id: exported.id } })).toMatchObject({ status: 'completed', treeSize: 3n, content: new Uint8Array([1, 2, 3]) });
    // v3 exports: the file in pieces that go with their export; sizes past 2 GiB
    const streamed = await owner.auditExport.create({ data: { tenantId: tenant.id, requestedBy: `user:${user.id}`, status: 'completed', sizeBytes: 5_000_000_000n } });
    expect((await owner.auditExport.findUniqueOrThrow({ where: { id: streamed.id } })).sizeBytes).toBe(5_000_000_000n);
    await owner.auditExportChunk.createMany({ data: [0, 1].map((chunk) => ({ exportId: streamed.id, tenantId: tenant.id, chunk, content: Buffer.from([chunk]) })) });
    await expect(owner.auditExportChunk.create({ data: { exportId: streamed.id, tenantId: tenant.id, chunk: -1, content: Buffer.from([0]) } })).rejects.toThrow(/audit_export_chunks_chunk_check/);
    expect((await owner.auditExport.findUniqueOrThrow({ where: { id: streamed.id }, include: { chunks: { orderBy: { chunk: 'asc' } } } })).chunks.map((c) => c.chunk)).toEqual([0, 1]);
    await owner.auditExport.delete({ where: { id: streamed.id } });
    expect(await owner.auditExportChunk.count({ where: { exportId: streamed.id } })).toBe(0);
    const model = await owner.model.create({ data: { tenantId: tenant.id, name: 'pump-anomaly' } });
    const version = await owner.modelVersion.create({ data: { tenantId: tenant.id, modelId: model.id, version: '1.0.0', card: { task: 'other' }, artifactSha256: 'a'.repeat(64), artifactSize: 5_000_000_000n } });
    const rollout = await owner.rollout.create({ data: { tenantId: tenant.id, modelId: model.id, version: '1.0.0', selector: { countries: ['ID'] }, strategy: {}, totalBatches: 1 } });
    await owner.rolloutNode.create({ data: { tenantId: tenant.id, rolloutId: rollout.id, nodeId: node.id, batch: 1, baselineRequests: 10n } });
    await owner.nodeModel.create({ data: { tenantId: tenant.id, nodeId: node.id, modelId: model.id, desiredVersion: '1.0.0', rolloutId: rollout.id } });
    const withVersions = await owner.model.findUniqueOrThrow({ where: { tenantId_id: { tenantId: tenant.id, id: model.id } }, include: { versions: true, rollouts: { include: { nodes: true } }, nodes: true } });
    expect(withVersions.versions[0]).toMatchObject({ id: version.id, status: 'draft', artifactSize: 5_000_000_000n });
    expect(withVersions.rollouts[0]).toMatchObject({ status: 'running', currentBatch: 0, gateResults: [] });
    expect(withVersions.rollouts[0]!.nodes[0]).toMatchObject({ nodeId: node.id, state: 'pending', baselineRequests: 10n, startedAt: null });
    expect(withVersions.nodes[0]).toMatchObject({ nodeId: node.id, desiredVersion: '1.0.0', state: 'pending' });
    expect((await owner.edgeNode.findUniqueOrThrow({ where: { id: node.id } })).desiredRevision).toBe(0);
  });

  it('keeps published model versions complete and immutable', async () => {
    const tenant = await owner.tenant.create({ data: { slug: 'models', name: 'Models' } });
    const model = await owner.model.create({ data: { tenantId: tenant.id, name: 'm' } });
    // published needs artifact, manifest and signature
    await expect(owner.modelVersion.create({ data: { tenantId: tenant.id, modelId: model.id, version: '1.0.0', card: {}, status: 'published' } })).rejects.toThrow(/model_versions_published_complete/);
    await expect(owner.modelVersion.create({ data: { tenantId: tenant.id, modelId: model.id, version: '1.0.1', card: {}, artifactSha256: 'XYZ' } })).rejects.toThrow(/model_versions_sha256/);
    const published = await owner.modelVersion.create({
      data: { tenantId: tenant.id, modelId: model.id, version: '1.0.0', card: {}, status: 'published', artifactSha256: 'b'.repeat(64), artifactSize: 10n, manifest: '{}', keyId: 'k', signature: 's', publishedAt: new Date() },
    });
    await expect(owner.modelVersion.update({ where: { id: published.id }, data: { card: { changed: true } } })).rejects.toThrow(/published and immutable/);
    await expect(owner.modelVersion.delete({ where: { id: published.id } })).rejects.toThrow(/published and immutable/);
    const draft = await owner.modelVersion.create({ data: { tenantId: tenant.id, modelId: model.id, version: '2.0.0', card: {} } });
    expect((await owner.modelVersion.update({ where: { id: draft.id }, data: { card: { changed: true } } })).card).toEqual({ changed: true });
  });

  it('partitions audit events by month of arrival', async () => {
    const [partitioned] = await owner.$queryRaw<{ strategy: string }[]>`SELECT partstrat::text AS strategy FROM pg_partitioned_table WHERE partrelid = 'audit_events'::regclass`;
    expect(partitioned?.strategy).toBe('r');
    const partitions = await owner.$queryRaw<{ name: string }[]>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`;
    const names = partitions.map((p) => p.name);
    const now = new Date();
    const thisMonth = `audit_events_y${now.getUTCFullYear()}m${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(names).toEqual(expect.arrayContaining(['audit_events_default', thisMonth]));
    expect(names.length).toBeGreaterThanOrEqual(4); // default + this month + 2 ahead
    const tenant = await owner.tenant.create({ data: { slug: 'parts', name: 'Parts' } });
    await owner.auditEvent.create({
      data: { tenantId: tenant.id, sourceId: 's', seq: 1n, prevHash: '0', hash: '1', body: '{}', type: 't', actor: 'a', occurredAt: now },
    });
    const [where] = await owner.$queryRaw<{ partition: string }[]>`SELECT tableoid::regclass::text AS partition FROM audit_events WHERE tenant_id = ${tenant.id}::uuid`;
    expect(where?.partition).toBe(thisMonth);
    // idempotent, and callable by the application role
    const [again] = await owner.$queryRaw<{ created: number }[]>`SELECT audit_ensure_partitions() AS created`;
    expect(again?.created).toBe(0);
  });

  it('enforces the invariants the application relies on', async () => {
    const tenant = await owner.tenant.create({ data: { slug: 'inv', name: 'Inv' } });
    await expect(owner.site.create({ data: { tenantId: tenant.id, name: 'x', country: 'id' } })).rejects.toThrow(/sites_country_iso_alpha2/);
    const user = await owner.user.create({ data: { email: 'b@inv.example', displayName: 'B', passwordHash: 'x' } });
    // an integrator role without its organisation is refused
    await expect(owner.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: Role.integrator_viewer } })).rejects.toThrow(
      /memberships_integrator_org/,
    );
  });
});
