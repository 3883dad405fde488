import { Injectable } from '@nestjs/common';
import { Role, type IntegratorOrganization, type TenantTx } from '@meridian/db';
import { fieldChanges, recordChange } from '../audit/record';
import { INTEGRATOR_ROLES, isIntegrator, tenantContext, type Principal } from '../auth/principal';
import { keyset, toPage, type Page, type PageQuery } from '../common/pagination';
import { badRequest, conflict, notFound } from '../common/problem';
import { TenantPrisma } from '../prisma/prisma.service';
import type { CreateOrganizationDto, OrganizationView, UpdateOrganizationDto } from './dto/organization.dto';

/**
 * Integrator roles are tied to exactly one organisation of the tenant; other roles to none.
 * Returns the organisation id to store, after checking it exists in this tenant.
 */
export async function requireOrganizationForRole(tx: TenantTx, role: Role, integratorOrgId: string | undefined | null): Promise<string | null> {
  if (role === Role.platform_admin) throw badRequest('platform_admin is not a tenant role', [{ path: 'role', message: 'not assignable in a tenant' }]);
  if (!INTEGRATOR_ROLES.includes(role)) {
    if (integratorOrgId) throw badRequest('only integrator roles belong to an organisation', [{ path: 'integratorOrgId', message: `must be empty for role ${role}` }]);
    return null;
  }
  if (!integratorOrgId) throw badRequest('integrator roles need an organisation', [{ path: 'integratorOrgId', message: `is required for role ${role}` }]);
  const org = await tx.integratorOrganization.findFirst({ where: { id: integratorOrgId } });
  if (!org) throw badRequest('unknown organisation', [{ path: 'integratorOrgId', message: 'no such organisation in this tenant' }]);
  return org.id;
}

@Injectable()
export class OrganizationsService {
  constructor(private readonly db: TenantPrisma) {}

  list(principal: Principal, query: PageQuery): Promise<Page<OrganizationView>> {
    const page = keyset(query);
    const scope = isIntegrator(principal) ? { id: principal.integratorOrgId ?? '' } : {};
    return this.db.run(tenantContext(principal), async (tx) =>
      toPage(await tx.integratorOrganization.findMany({ where: { AND: [scope, page.where] }, orderBy: page.orderBy, take: page.take, include: WITH_COUNTS }), page.pageSize, toView),
    );
  }

  async get(principal: Principal, id: string): Promise<OrganizationView> {
    if (isIntegrator(principal) && principal.integratorOrgId !== id) throw notFound('organisation');
    const row = await this.db.run(tenantContext(principal), (tx) => tx.integratorOrganization.findFirst({ where: { id }, include: WITH_COUNTS }));
    if (!row) throw notFound('organisation');
    return toView(row);
  }

  create(principal: Principal, input: CreateOrganizationDto): Promise<OrganizationView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      if (await tx.integratorOrganization.findFirst({ where: { name: input.name } })) throw conflict(`an organisation named "${input.name}" exists`);
      const created = await tx.integratorOrganization.create({ data: { tenantId: principal.tenantId, name: input.name }, include: WITH_COUNTS });
      await recordChange(tx, principal, 'admin.organization.created', { organizationId: created.id, name: created.name });
      return toView(created);
    });
  }

  update(principal: Principal, id: string, input: UpdateOrganizationDto): Promise<OrganizationView> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const row = await tx.integratorOrganization.findFirst({ where: { id } });
      if (!row) throw notFound('organisation');
      if (input.name && input.name !== row.name && (await tx.integratorOrganization.findFirst({ where: { name: input.name } }))) {
        throw conflict(`an organisation named "${input.name}" exists`);
      }
      const updated = await tx.integratorOrganization.update({ where: { id }, data: { name: input.name ?? row.name }, include: WITH_COUNTS });
      const changes = fieldChanges(row, updated, ['name']);
      if (Object.keys(changes).length > 0) await recordChange(tx, principal, 'admin.organization.changed', { organizationId: id, name: updated.name, changes });
      return toView(updated);
    });
  }

  remove(principal: Principal, id: string): Promise<void> {
    return this.db.run(tenantContext(principal), async (tx) => {
      const row = await tx.integratorOrganization.findFirst({ where: { id }, include: { _count: { select: { sites: true, memberships: true, apiKeys: true } } } });
      if (!row) throw notFound('organisation');
      const { sites, memberships, apiKeys } = row._count;
      if (sites + memberships + apiKeys > 0) {
        throw conflict(`organisation still has ${sites} site(s), ${memberships} member(s) and ${apiKeys} API key(s); reassign or remove them first`);
      }
      await tx.integratorOrganization.delete({ where: { id } });
      await recordChange(tx, principal, 'admin.organization.removed', { organizationId: id, name: row.name });
    });
  }
}

const WITH_COUNTS = { _count: { select: { sites: true, memberships: true } } } as const;

function toView(row: IntegratorOrganization & { _count: { sites: number; memberships: number } }): OrganizationView {
  return { id: row.id, name: row.name, siteCount: row._count.sites, memberCount: row._count.memberships, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
