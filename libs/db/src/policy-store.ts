import {
  contentDigest,
  mergePolicies,
  signBundle,
  type BasePolicy,
  type BundlePayload,
  type CountryOverlay,
  type EffectivePolicy,
  type MergeFinding,
} from '@meridian/governance';
import type { PolicyBundle, Site } from './generated/prisma/client';
import { activeSigningKey, publicSigningKeys, signingPrivateKey } from './signing-keys';
import type { TenantTx } from './tenant-scope';

export const BASE_SCOPE = 'base';

export interface PolicyHead {
  scope: string;
  version: number;
  document: BasePolicy | CountryOverlay;
}

/** The latest version of the base policy and of each country overlay. */
export async function policyHeads(tx: TenantTx): Promise<Map<string, PolicyHead>> {
  const rows = await tx.policyVersion.findMany({ distinct: ['scope'], orderBy: [{ scope: 'asc' }, { version: 'desc' }] });
  return new Map(rows.map((row) => [row.scope, { scope: row.scope, version: row.version, document: row.document as unknown as BasePolicy | CountryOverlay }]));
}

export function effectiveForCountry(heads: Map<string, PolicyHead>, country: string): { policy: EffectivePolicy; findings: MergeFinding[]; baseVersion: number | null; overlayVersion: number | null } {
  const base = heads.get(BASE_SCOPE);
  const overlay = heads.get(country);
  const merged = mergePolicies(base?.document as BasePolicy | undefined, overlay?.document as CountryOverlay | undefined, country);
  return { ...merged, baseVersion: base?.version ?? null, overlayVersion: overlay?.version ?? null };
}

export function siteConsent(site: Site): Record<string, boolean> {
  const raw = (site.consent ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === 'boolean')) as Record<string, boolean>;
}

/**
 * Compiles and signs the bundle for one site when what it enforces changed since its last bundle.
 * Returns the new bundle, or undefined when there was nothing new to publish.
 */
export async function compileSiteBundle(
  tx: TenantTx,
  site: Site,
  heads: Map<string, PolicyHead>,
  encryptionKey: Buffer,
): Promise<PolicyBundle | undefined> {
  const effective = effectiveForCountry(heads, site.country);
  if (effective.findings.some((f) => f.severity === 'error')) return undefined; // publishing validates first; never ship a broken merge
  const active = await activeSigningKey(tx, site.tenantId, encryptionKey);
  const keys = await publicSigningKeys(tx);
  const last = await tx.policyBundle.findFirst({ where: { siteId: site.id }, orderBy: { version: 'desc' } });
  // Key rotation: nodes trust a new key only once a bundle signed with a key they already trust
  // announces it. So after a rotation the site's next bundle is signed with the key of its last
  // bundle and announces the new one; the bundle after that is signed with the new key.
  const lastAnnounced = last ? ((JSON.parse(last.payload) as BundlePayload).signingKeys ?? []).map((k) => k.keyId) : [];
  // A site's very first bundle after a rotation bridges from the newest retired key: nodes enrolled
  // before the rotation know only that one.
  const bridgeFrom = last ? last.keyId : (await tx.tenantSigningKey.findFirst({ where: { status: 'retired' }, orderBy: { retiredAt: 'desc' } }))?.keyId;
  const signer =
    !bridgeFrom || bridgeFrom === active.keyId || lastAnnounced.includes(active.keyId)
      ? active
      : await tx.tenantSigningKey.findFirstOrThrow({ where: { keyId: bridgeFrom } });
  const content: Omit<BundlePayload, 'version' | 'issuedAt'> = {
    apiVersion: 'meridian.dev/bundle/v1',
    tenantId: site.tenantId,
    siteId: site.id,
    country: site.country,
    sources: { baseVersion: effective.baseVersion, overlayVersion: effective.overlayVersion },
    consent: siteConsent(site),
    policy: effective.policy,
    signingKeys: keys.filter((k) => k.status === 'active').map((k) => ({ keyId: k.keyId, publicKey: k.publicKey.toString('base64') })),
  };
  const digestOfContent = contentDigest(content);
  if (last && last.contentDigest === digestOfContent && last.keyId === signer.keyId) return undefined;
  const payload: BundlePayload = { ...content, version: (last?.version ?? 0) + 1, issuedAt: new Date().toISOString() };
  const signed = signBundle(payload, signer.keyId, signingPrivateKey(signer, encryptionKey));
  return tx.policyBundle.create({
    data: {
      tenantId: site.tenantId,
      siteId: site.id,
      version: payload.version,
      digest: signed.digest,
      contentDigest: digestOfContent,
      keyId: signed.keyId,
      payload: Buffer.from(signed.payload).toString('utf8'),
      signature: Buffer.from(signed.signature).toString('base64'),
    },
  });
}

export function bundleEnvelope(bundle: PolicyBundle) {
  return {
    payload: Buffer.from(bundle.payload, 'utf8'),
    keyId: bundle.keyId,
    signature: Buffer.from(bundle.signature, 'base64'),
    version: bundle.version,
    digest: bundle.digest,
  };
}
