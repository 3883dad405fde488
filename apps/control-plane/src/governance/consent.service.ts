import { Injectable } from '@nestjs/common';
import { recordChange } from '../audit/record';
import { tenantContext, type Principal } from '../auth/principal';
import { findSite } from '../fleet/sites.service';
import { GovernanceProducer } from '../jobs/governance.producer';
import { TenantPrisma } from '../prisma/prisma.service';
import type { ConsentView } from './dto/policy.dto';
import { requestRecompile, siteConsent } from '@meridian/db';

/** Consent flags of a site, set by its integrator; a change recompiles and pushes that site's bundle at once. */
@Injectable()
export class ConsentService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly producer: GovernanceProducer,
  ) {}

  get(principal: Principal, siteId: string): Promise<ConsentView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, siteId);
      return { siteId: site.id, flags: siteConsent(site), updatedAt: site.consentUpdatedAt, updatedBy: site.consentUpdatedBy };
    });
  }

  async set(principal: Principal, siteId: string, flags: Record<string, boolean>): Promise<ConsentView> {
    const view = await this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, siteId);
      const merged = { ...siteConsent(site), ...flags };
      const updated = await tx.site.update({
        where: { id: site.id },
        data: { consent: merged, consentUpdatedAt: new Date(), consentUpdatedBy: principal.subjectId },
      });
      await recordChange(tx, principal, 'admin.consent.changed', { before: siteConsent(site), after: merged }, site.id);
      // Compiled with what is in force for its country: a consent change never ships a saved draft.
      await requestRecompile(tx, principal.tenantId, [site.country], 'consent', principal.subjectId);
      return { siteId: updated.id, flags: merged, updatedAt: updated.consentUpdatedAt, updatedBy: updated.consentUpdatedBy };
    });
    const job = await this.producer.compileBundles({ tenantId: principal.tenantId, siteIds: [siteId], reason: 'consent', requestedBy: principal.subjectId });
    return { ...view, jobId: String(job.id) };
  }
}
