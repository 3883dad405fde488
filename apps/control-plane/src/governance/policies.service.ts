import { Injectable } from '@nestjs/common';
import { recordChange } from '../audit/record';
import { BASE_SCOPE, effectiveForCountry, policyHeads, releasePolicies, siteConsent, type PolicyVersion, type TenantTx } from '@meridian/db';
import { decide, mergePolicies, parsePolicyDocument, type BasePolicy, type CountryOverlay } from '@meridian/governance';
import { tenantContext, type Principal } from '../auth/principal';
import { badRequest, notFound, ProblemException } from '../common/problem';
import { findSite } from '../fleet/sites.service';
import { ISO_COUNTRIES } from '../fleet/countries';
import { GovernanceProducer } from '../jobs/governance.producer';
import { JobsService } from '../jobs/jobs.service';
import type { JobView } from '../jobs/dto/job.dto';
import { TenantPrisma } from '../prisma/prisma.service';
import type { DecisionView, DiffView, PolicyHeadList, PolicyVersionList, PolicyVersionView, SavedPolicyView, SimulateDto, SitePolicyStatusView } from './dto/policy.dto';
import { diffJson } from './json-diff';
import { HttpStatus } from '@nestjs/common';

/** Scope of a document: "base" or the country of an overlay. */
export function parseScope(scope: string): string {
  if (scope === BASE_SCOPE) return scope;
  const country = scope.toUpperCase();
  if (!ISO_COUNTRIES.has(country)) throw badRequest('unknown policy scope', [{ path: 'scope', message: 'must be "base" or an ISO 3166-1 alpha-2 country code' }]);
  return country;
}

/**
 * Authoring of the base policy and country overlays as immutable versions, their diff, the
 * simulator, and publishing (compilation into signed bundles runs in the worker).
 */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: GovernanceProducer,
    private readonly jobs: JobsService,
  ) {}

  async heads(principal: Principal): Promise<PolicyHeadList> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const rows = await tx.policyVersion.findMany({ distinct: ['scope'], orderBy: [{ scope: 'asc' }, { version: 'desc' }], select: { scope: true, version: true, createdAt: true } });
      return { items: rows };
    });
  }

  async versions(principal: Principal, scope: string): Promise<PolicyVersionList> {
    const s = parseScope(scope);
    return this.db.run(tenantContext(principal), async (tx) => ({
      items: (await tx.policyVersion.findMany({ where: { scope: s }, orderBy: { version: 'desc' }, take: 100 })).map(toView),
    }));
  }

  async version(principal: Principal, scope: string, version: number): Promise<PolicyVersionView> {
    const s = parseScope(scope);
    return this.db.run(tenantContext(principal), async (tx) => toView(await findVersion(tx, s, version)));
  }

  /** Validates (schema, then the merge with the other layers) and stores a new version. Nothing is published. */
  async save(principal: Principal, scope: string, input: { document: unknown; comment?: string | undefined }): Promise<SavedPolicyView> {
    const s = parseScope(scope);
    const parsed = parsePolicyDocument(input.document, s === BASE_SCOPE ? 'BasePolicy' : 'CountryOverlay');
    if (!parsed.ok) throw invalidPolicy(parsed.errors.map((e) => ({ path: prefixed(e.path), message: e.message })));
    const document = parsed.document;
    if (document.kind === 'CountryOverlay' && document.country !== s) {
      throw invalidPolicy([{ path: 'document.country', message: `must be ${s}, the scope it is saved under` }]);
    }
    return this.db.run(tenantContext(principal), async (tx) => {
      const heads = await policyHeads(tx);
      const base = (document.kind === 'BasePolicy' ? document : heads.get(BASE_SCOPE)?.document) as BasePolicy | undefined;
      // An overlay is checked against the base; a base against every overlay that builds on it.
      const overlays = document.kind === 'CountryOverlay' ? [document] : [...heads.values()].filter((h) => h.scope !== BASE_SCOPE).map((h) => h.document as CountryOverlay);
      const findings = [
        ...mergePolicies(base, undefined, 'ZZ').findings,
        ...overlays.flatMap((overlay) => mergePolicies(base, overlay, overlay.country).findings.map((f) => ({ ...f, path: document.kind === 'CountryOverlay' ? f.path : `${overlay.country}: ${f.path}` }))),
      ];
      const errors = findings.filter((f) => f.severity === 'error');
      if (errors.length) throw invalidPolicy(errors.map((e) => ({ path: prefixed(e.path), message: e.message })));
      const latest = heads.get(s)?.version ?? 0;
      const row = await tx.policyVersion.create({
        data: { tenantId: principal.tenantId, scope: s, version: latest + 1, document: document as object, comment: input.comment ?? null, createdBy: principal.subjectId },
      });
      await recordChange(tx, principal, 'admin.policy.saved', { scope: s, version: row.version, comment: input.comment ?? null });
      const warnings = findings.filter((f) => f.severity === 'warning').map((w) => ({ ...w, path: prefixed(w.path) }));
      return { ...toView(row), warnings };
    });
  }

  async diff(principal: Principal, scope: string, from: number, to: number): Promise<DiffView> {
    const s = parseScope(scope);
    return this.db.run(tenantContext(principal), async (tx) => {
      const [a, b] = await Promise.all([findVersion(tx, s, from), findVersion(tx, s, to)]);
      return { scope: s, from, to, changes: diffJson(a.document, b.document) };
    });
  }

  /** What the current (saved, maybe unpublished) policies decide for a request at a site, and which layer decided. */
  async simulate(principal: Principal, input: SimulateDto): Promise<DecisionView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, input.siteId);
      const { policy } = effectiveForCountry(await policyHeads(tx), site.country);
      const consent = input.consent ?? siteConsent(site);
      return decide(policy, consent, { category: input.category, action: input.action, destination: input.destination, location: input.location });
    });
  }

  /**
   * Puts the latest saved versions in force for the countries listed (all when none are): recorded
   * with its audit event in one transaction, then compiled by the worker. Should the job be lost,
   * the worker's sweep compiles the pending release all the same.
   */
  async publish(principal: Principal, countries: string[] | undefined): Promise<JobView> {
    await this.db.run(tenantContext(principal), async (tx) => {
      const released = await releasePolicies(tx, principal.tenantId, countries, principal.subjectId);
      await recordChange(tx, principal, 'admin.policy.published', {
        countries: countries ?? 'all',
        releases: released.map((r) => ({ country: r.country, baseVersion: r.baseVersion, overlayVersion: r.overlayVersion })),
      });
    });
    const siteIds = countries ? [] : undefined; // the countries' sites come with their pending releases
    const job = await this.producer.compileBundles({ tenantId: principal.tenantId, siteIds, reason: 'publish', requestedBy: principal.subjectId });
    return this.jobs.view(job);
  }

  async siteStatus(principal: Principal, siteId: string): Promise<SitePolicyStatusView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, siteId);
      const latest = await tx.policyBundle.findFirst({ where: { siteId: site.id }, orderBy: { version: 'desc' }, select: { version: true, digest: true, createdAt: true } });
      const nodes = await tx.edgeNode.findMany({ where: { siteId: site.id, status: { not: 'revoked' } }, orderBy: { name: 'asc' } });
      return {
        siteId: site.id,
        country: site.country,
        latestVersion: latest?.version ?? null,
        latestDigest: latest?.digest ?? null,
        publishedAt: latest?.createdAt ?? null,
        nodes: nodes.map((node) => ({
          nodeId: node.id,
          name: node.name,
          appliedVersion: node.appliedPolicyVersion,
          appliedAt: node.policyAppliedAt,
          error: node.policyError,
          compliant: latest !== null && node.appliedPolicyVersion === latest.version,
        })),
      };
    });
  }
}

function prefixed(path: string): string {
  return path ? `document.${path}` : 'document';
}

function invalidPolicy(errors: { path: string; message: string }[]) {
  return new ProblemException(HttpStatus.BAD_REQUEST, 'invalid-policy', `the policy has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was saved`, errors);
}

async function findVersion(tx: TenantTx, scope: string, version: number): Promise<PolicyVersion> {
  const row = await tx.policyVersion.findFirst({ where: { scope, version } });
  if (!row) throw notFound(`policy ${scope} version ${version}`);
  return row;
}

function toView(row: PolicyVersion): PolicyVersionView {
  return { scope: row.scope, version: row.version, document: row.document, comment: row.comment, createdBy: row.createdBy, createdAt: row.createdAt };
}
