import { hashPassword } from '@meridian/crypto';
import { EXAMPLE_BASE_POLICY, EXAMPLE_CONSENT_GATED_OVERLAY, EXAMPLE_STRICT_IN_COUNTRY_OVERLAY } from '@meridian/governance';
import type { PrismaClient } from '../generated/prisma/client';
import { Role } from '../generated/prisma/enums';

/**
 * The demo tenant the README's quick start logs into: a vendor with plants in Indonesia and Chile,
 * one integrator organisation per plant, and one user per role. Idempotent: running it again
 * resets the demo users' passwords and roles and changes nothing else.
 */
export const DEMO_PASSWORD = 'meridian-demo';
export const DEMO_TENANT = { slug: 'demo-vendor', name: 'Demo Vendor' } as const;

export const DEMO_ORGANIZATIONS = [
  { key: 'id', name: 'Nusantara Integrasi (ID integrator)' },
  { key: 'cl', name: 'Andes Automatización (CL integrator)' },
] as const;

export const DEMO_SITES = [
  { name: 'Cikarang Plant', country: 'ID', region: 'West Java', org: 'id' },
  { name: 'Antofagasta Plant', country: 'CL', region: 'Antofagasta', org: 'cl' },
] as const;

export const DEMO_USERS = [
  { email: 'platform@meridian.example', displayName: 'Platform Admin', role: Role.platform_admin, org: null },
  { email: 'vendor.admin@demo-vendor.example', displayName: 'Vera Vendor-Admin', role: Role.vendor_admin, org: null },
  { email: 'vendor.engineer@demo-vendor.example', displayName: 'Evan Engineer', role: Role.vendor_engineer, org: null },
  { email: 'integrator.admin@nusantara.example', displayName: 'Indra Integrator (ID admin)', role: Role.integrator_admin, org: 'id' },
  { email: 'integrator.viewer@andes.example', displayName: 'Camila Viewer (CL)', role: Role.integrator_viewer, org: 'cl' },
  { email: 'auditor@audit-firm.example', displayName: 'Ada Auditor', role: Role.auditor, org: null },
] as const;

export interface SeedResult {
  tenantId: string;
  siteIds: Record<string, string>;
  users: { email: string; role: Role; password: string }[];
}

/** Runs with the owner connection: seeding is an operator action, not a tenant's request. */
export async function seedDemo(owner: PrismaClient): Promise<SeedResult> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return owner.$transaction(async (tx) => {
    const tenant = await tx.tenant.upsert({
      where: { slug: DEMO_TENANT.slug },
      create: { ...DEMO_TENANT },
      update: {},
    });
    const orgIds: Record<string, string> = {};
    for (const org of DEMO_ORGANIZATIONS) {
      const row = await tx.integratorOrganization.upsert({
        where: { tenantId_name: { tenantId: tenant.id, name: org.name } },
        create: { tenantId: tenant.id, name: org.name },
        update: {},
      });
      orgIds[org.key] = row.id;
    }
    const siteIds: Record<string, string> = {};
    for (const site of DEMO_SITES) {
      const row = await tx.site.upsert({
        where: { tenantId_name: { tenantId: tenant.id, name: site.name } },
        create: { tenantId: tenant.id, name: site.name, country: site.country, region: site.region, integratorOrgId: orgIds[site.org]! },
        update: {},
      });
      siteIds[site.country] = row.id;
    }
    for (const user of DEMO_USERS) {
      const isPlatformAdmin = user.role === Role.platform_admin;
      const row = await tx.user.upsert({
        where: { email: user.email },
        create: { email: user.email, displayName: user.displayName, passwordHash, isPlatformAdmin },
        update: { passwordHash, isPlatformAdmin, disabledAt: null },
      });
      if (isPlatformAdmin) continue; // platform admins act in any tenant without a membership
      const integratorOrgId = user.org ? orgIds[user.org]! : null;
      await tx.membership.upsert({
        where: { tenantId_userId: { tenantId: tenant.id, userId: row.id } },
        create: { tenantId: tenant.id, userId: row.id, role: user.role, integratorOrgId },
        update: { role: user.role, integratorOrgId },
      });
    }
    // Example policies (marked as examples, not legal statements), saved but not published: the
    // quick start publishes them, so the demo agents enforce something from the first minute.
    if ((await tx.policyVersion.count({ where: { tenantId: tenant.id } })) === 0) {
      await tx.policyVersion.createMany({
        data: [
          { tenantId: tenant.id, scope: 'base', version: 1, document: EXAMPLE_BASE_POLICY, comment: 'example template', createdBy: 'seed' },
          { tenantId: tenant.id, scope: 'ID', version: 1, document: EXAMPLE_STRICT_IN_COUNTRY_OVERLAY, comment: 'example template', createdBy: 'seed' },
          { tenantId: tenant.id, scope: 'CL', version: 1, document: EXAMPLE_CONSENT_GATED_OVERLAY, comment: 'example template', createdBy: 'seed' },
        ],
      });
    }
    return {
      tenantId: tenant.id,
      siteIds,
      users: DEMO_USERS.map((u) => ({ email: u.email, role: u.role, password: DEMO_PASSWORD })),
    };
  });
}

export function formatSeedSummary(result: SeedResult): string {
  const width = Math.max(...result.users.map((u) => u.email.length));
  const lines = result.users.map((u) => `  ${u.role.padEnd(18)} ${u.email.padEnd(width)}  password: ${u.password}`);
  return [`Demo tenant "${DEMO_TENANT.name}" (${result.tenantId}), sites in ID and CL. Demo logins:`, ...lines].join('\n');
}
