import type { BasePolicy, CountryOverlay } from '@meridian/governance';
import type { PolicyRelease } from './generated/prisma/client';
import { BASE_SCOPE, policyHeads, type PolicyHead } from './policy-store';
import type { TenantTx } from './tenant-scope';

export type ReleaseReason = 'publish' | 'consent' | 'key-rotation' | 'site';

/**
 * Publishes: the latest saved base and overlay versions go into force for the sites of each
 * country listed (all countries with a site when none are). Written in the caller's transaction,
 * pending until a compile takes it (see PolicyRelease in schema.prisma).
 */
export async function releasePolicies(tx: TenantTx, tenantId: string, countries: string[] | undefined, requestedBy: string): Promise<PolicyRelease[]> {
  const heads = await policyHeads(tx);
  const targets = countries ?? (await tx.site.findMany({ distinct: ['country'], select: { country: true } })).map((site) => site.country);
  const rows = [...new Set(targets)].sort().map((country) => ({
    tenantId,
    country,
    baseVersion: heads.get(BASE_SCOPE)?.version ?? null,
    overlayVersion: heads.get(country)?.version ?? null,
    reason: 'publish',
    requestedBy,
  }));
  return tx.policyRelease.createManyAndReturn({ data: rows });
}

/**
 * Asks for the bundles of the countries listed (all when none are) to be compiled again with what is
 * already in force, for a change that is not a publish (consent, signing keys, a site created or
 * moved to another country). A country with
 * nothing published yet gets nothing: there is no bundle to compile, and a saved draft must not
 * ship as a side effect.
 */
export async function requestRecompile(tx: TenantTx, tenantId: string, countries: string[] | undefined, reason: Exclude<ReleaseReason, 'publish'>, requestedBy: string): Promise<PolicyRelease[]> {
  const inForce = await releasesInForce(tx);
  const rows = [...inForce.values()]
    .filter((release) => !countries || countries.includes(release.country))
    .map((release) => ({ tenantId, country: release.country, baseVersion: release.baseVersion, overlayVersion: release.overlayVersion, reason, requestedBy }));
  return rows.length ? tx.policyRelease.createManyAndReturn({ data: rows }) : [];
}

/** The newest release of each country: what its sites' bundles are compiled from. */
export async function releasesInForce(tx: TenantTx): Promise<Map<string, PolicyRelease>> {
  const rows = await tx.policyRelease.findMany({ distinct: ['country'], orderBy: [{ country: 'asc' }, { id: 'desc' }] });
  return new Map(rows.map((row) => [row.country, row]));
}

/** The policy versions a release names, in the shape effectiveForCountry takes. */
export async function releasedHeads(tx: TenantTx, release: PolicyRelease): Promise<Map<string, PolicyHead>> {
  const wanted = [
    ...(release.baseVersion !== null ? [{ scope: BASE_SCOPE, version: release.baseVersion }] : []),
    ...(release.overlayVersion !== null ? [{ scope: release.country, version: release.overlayVersion }] : []),
  ];
  if (wanted.length === 0) return new Map();
  const rows = await tx.policyVersion.findMany({ where: { OR: wanted } });
  if (rows.length !== wanted.length) throw new Error(`release ${release.id} names policy versions that do not exist (${JSON.stringify(wanted)})`);
  return new Map(rows.map((row) => [row.scope, { scope: row.scope, version: row.version, document: row.document as unknown as BasePolicy | CountryOverlay }]));
}
