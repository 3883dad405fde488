import type { TenantTx } from '@meridian/db';
import { isIntegrator, type Principal } from '../auth/principal';

/**
 * Integrators see only their organisation's sites (and what lives on them). Used in every query of
 * the fleet domain, on top of the tenant boundary RLS already draws.
 */
export function siteScope(principal: Principal): { integratorOrgId?: string } {
  if (!isIntegrator(principal)) return {};
  // An integrator principal always carries its organisation (a CHECK constraint guarantees it);
  // the impossible-id fallback keeps a broken principal from seeing everything.
  return { integratorOrgId: principal.integratorOrgId ?? '00000000-0000-0000-0000-000000000000' };
}

/** The ids of the sites an integrator's organisation runs (what siteScope admits), for tables that hold a site id but no relation to filter through. */
export async function integratorSiteIds(tx: TenantTx, principal: Principal): Promise<string[]> {
  return (await tx.site.findMany({ where: siteScope(principal), select: { id: true } })).map((site) => site.id);
}
