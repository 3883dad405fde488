import { Injectable } from '@nestjs/common';
import { Role, type Tenant } from '@meridian/db';
import { tenantContext, type Principal } from '../auth/principal';
import { keyset, toPage, type Page, type PageQuery } from '../common/pagination';
import { conflict, notFound } from '../common/problem';
import { SystemPrisma, TenantPrisma } from '../prisma/prisma.service';
import type { CreateTenantDto, TenantView, UpdateTenantDto } from './dto/tenant.dto';

/**
 * Tenants themselves. Everyone sees their own tenant through RLS; only platform administration
 * (creating, listing and deleting tenants) uses the system connection.
 */
@Injectable()
export class TenantsService {
  constructor(
    private readonly db: TenantPrisma,
    private readonly system: SystemPrisma,
  ) {}

  async list(principal: Principal, query: PageQuery): Promise<Page<TenantView>> {
    const page = keyset(query);
    const args = { where: page.where, orderBy: page.orderBy, take: page.take };
    const rows =
      principal.role === Role.platform_admin
        ? await this.system.client.tenant.findMany(args)
        : await this.db.run(tenantContext(principal), (tx) => tx.tenant.findMany(args));
    return toPage(rows, page.pageSize, toView);
  }

  async get(principal: Principal, id: string): Promise<TenantView> {
    const row =
      principal.role === Role.platform_admin
        ? await this.system.client.tenant.findUnique({ where: { id } })
        : await this.db.run(tenantContext(principal), (tx) => tx.tenant.findFirst({ where: { id } }));
    if (!row) throw notFound('tenant');
    return toView(row);
  }

  async create(input: CreateTenantDto): Promise<TenantView> {
    if (await this.system.client.tenant.findUnique({ where: { slug: input.slug } })) throw conflict(`tenant slug "${input.slug}" is taken`);
    return toView(await this.system.client.tenant.create({ data: { slug: input.slug, name: input.name } }));
  }

  async update(principal: Principal, id: string, input: UpdateTenantDto): Promise<TenantView> {
    const data = input.name ? { name: input.name } : {};
    if (principal.role === Role.platform_admin) {
      const existing = await this.system.client.tenant.findUnique({ where: { id } });
      if (!existing) throw notFound('tenant');
      return toView(await this.system.client.tenant.update({ where: { id }, data }));
    }
    return this.db.run(tenantContext(principal), async (tx) => {
      const existing = await tx.tenant.findFirst({ where: { id } });
      if (!existing) throw notFound('tenant');
      return toView(await tx.tenant.update({ where: { id }, data }));
    });
  }

  async remove(id: string): Promise<void> {
    const result = await this.system.client.tenant.deleteMany({ where: { id } });
    if (result.count === 0) throw notFound('tenant');
  }
}

function toView(row: Tenant): TenantView {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
