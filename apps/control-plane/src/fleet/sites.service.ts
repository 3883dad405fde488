import { Injectable } from '@nestjs/common';
import { requestRecompile, type Site, type TenantTx } from '@meridian/db';
import { fieldChanges, recordChange } from '../audit/record';
import { tenantContext, type Principal } from '../auth/principal';
import { keyset, toPage, type Page } from '../common/pagination';
import { badRequest, conflict, notFound } from '../common/problem';
import { GovernanceProducer } from '../jobs/governance.producer';
import { TenantPrisma } from '../prisma/prisma.service';
import type { CreateSiteDto, SiteQuery, SiteView, UpdateSiteDto } from './dto/site.dto';
import { siteScope } from './site-scope';

@Injectable()
export class SitesService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly governance: GovernanceProducer,
  ) {}

  list(principal: Principal, query: SiteQuery): Promise<Page<SiteView>> {
    const page = keyset(query);
    const filter = query.country ? { country: query.country } : {};
    return this.db.run(tenantContext(principal), async (tx) => {
      const rows = await tx.site.findMany({
        where: { AND: [siteScope(principal), filter, page.where] },
        orderBy: page.orderBy,
        take: page.take,
      });
      return toPage(rows, page.pageSize, toView);
    });
  }

  get(principal: Principal, id: string): Promise<SiteView> {
    return this.db.run(tenantContext(principal), async (tx) => toView(await findSite(tx, principal, id)));
  }

  /** A site in a country with policies in force gets its first bundle right away, before any agent enrolls. */
  async create(principal: Principal, input: CreateSiteDto): Promise<SiteView> {
    const { view, recompile } = await this.db.run(tenantContext(principal), async (tx) => {
      await assertOrganization(tx, input.integratorOrgId);
      if (await tx.site.findFirst({ where: { name: input.name } })) throw conflict(`a site named "${input.name}" exists`);
      const site = await tx.site.create({
        data: { tenantId: principal.tenantId, name: input.name, country: input.country, region: input.region ?? null, integratorOrgId: input.integratorOrgId ?? null },
      });
      await recordChange(tx, principal, 'admin.site.created', { siteId: site.id, name: site.name, country: site.country, region: site.region, integratorOrgId: site.integratorOrgId }, site.id);
      return { view: toView(site), recompile: (await requestRecompile(tx, principal.tenantId, [site.country], 'site', principal.subjectId)).length > 0 };
    });
    if (recompile) await this.compileSoon(principal);
    return view;
  }

  /** A site moved to another country is compiled at once with that country's policies. */
  async update(principal: Principal, id: string, input: UpdateSiteDto): Promise<SiteView> {
    const { view, recompile } = await this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, id);
      if (input.integratorOrgId) await assertOrganization(tx, input.integratorOrgId);
      if (input.name && input.name !== site.name && (await tx.site.findFirst({ where: { name: input.name } }))) {
        throw conflict(`a site named "${input.name}" exists`);
      }
      const updated = await tx.site.update({
        where: { id: site.id },
        data: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.country !== undefined ? { country: input.country } : {}),
          ...(input.region !== undefined ? { region: input.region } : {}),
          ...(input.integratorOrgId !== undefined ? { integratorOrgId: input.integratorOrgId } : {}),
        },
      });
      const changes = fieldChanges(site, updated, SITE_FIELDS);
      // A move to another country changes the rules its gateways enforce: whoever did it is on record.
      if (Object.keys(changes).length > 0) await recordChange(tx, principal, 'admin.site.changed', { siteId: site.id, name: updated.name, changes }, site.id);
      const moved = updated.country !== site.country && (await requestRecompile(tx, principal.tenantId, [updated.country], 'site', principal.subjectId)).length > 0;
      return { view: toView(updated), recompile: moved };
    });
    if (recompile) await this.compileSoon(principal);
    return view;
  }

  /** The pending release is in PostgreSQL already; should this job be lost, the worker's sweep compiles it. */
  private async compileSoon(principal: Principal): Promise<void> {
    await this.governance.compileBundles({ tenantId: principal.tenantId, siteIds: [], reason: 'site', requestedBy: principal.subjectId });
  }

  remove(principal: Principal, id: string): Promise<void> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const site = await findSite(tx, principal, id);
      // Checked again by the delete itself: a node enrolled meanwhile moves the count under the row lock.
      const { count } = await tx.site.deleteMany({ where: { id: site.id, nodeCount: 0 } });
      if (count === 0) {
        const current = await tx.site.findFirst({ where: { id: site.id }, select: { nodeCount: true } });
        if (!current) throw notFound('site');
        throw conflict(`site still has ${current.nodeCount} node(s); remove them first`);
      }
      await recordChange(tx, principal, 'admin.site.removed', { siteId: site.id, name: site.name, country: site.country });
    });
  }
}

const SITE_FIELDS = ['name', 'country', 'region', 'integratorOrgId'] as const;

export async function findSite(tx: TenantTx, principal: Principal, id: string): Promise<Site> {
  const site = await tx.site.findFirst({ where: { id, ...siteScope(principal) } });
  if (!site) throw notFound('site');
  return site;
}

async function assertOrganization(tx: TenantTx, integratorOrgId: string | undefined | null): Promise<void> {
  if (!integratorOrgId) return;
  if (!(await tx.integratorOrganization.findFirst({ where: { id: integratorOrgId } }))) {
    throw badRequest('unknown organisation', [{ path: 'integratorOrgId', message: 'no such organisation in this tenant' }]);
  }
}

function toView(row: Site): SiteView {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    region: row.region,
    integratorOrgId: row.integratorOrgId,
    nodeCount: row.nodeCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
