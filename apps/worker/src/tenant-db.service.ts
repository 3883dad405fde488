import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { createPrismaClient, withTenant, type PrismaClient, type TenantTx } from '@meridian/db';
import { InjectConfig } from './config.module';

/** The worker writes as the RLS-bound role too, always inside the job's tenant. */
@Injectable()
export class TenantDb implements OnModuleDestroy {
  private readonly client: PrismaClient;

  constructor(@InjectConfig() config: AppConfig) {
    this.client = createPrismaClient({ url: config.database.appUrl, poolSize: Math.min(config.database.poolSize, 5), applicationName: 'meridian-worker' });
  }

  run<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    return withTenant(this.client, { tenantId }, work, options);
  }

  /** Tenant ids only, through a narrow SECURITY DEFINER function: the worker never reads across tenants otherwise. */
  async tenantsWithPendingAudit(): Promise<string[]> {
    const rows = await this.client.$queryRaw<{ id: string }[]>`SELECT app_tenants_with_pending_audit() AS id`;
    return rows.map((row) => row.id);
  }

  /** Tenants with a running rollout (ids only, through a SECURITY DEFINER function). */
  async tenantsWithActiveRollouts(): Promise<string[]> {
    const rows = await this.client.$queryRaw<{ id: string }[]>`SELECT app_tenants_with_active_rollouts() AS id`;
    return rows.map((row) => row.id);
  }

  /** Tenants with a policy release still pending after `settleSeconds` (ids only, through a SECURITY DEFINER function). */
  async tenantsWithPendingPolicyReleases(settleSeconds: number): Promise<string[]> {
    const rows = await this.client.$queryRaw<{ id: string }[]>`SELECT app_tenants_with_pending_policy_releases(${settleSeconds}::integer) AS id`;
    return rows.map((row) => row.id);
  }

  /** Tenants with an audit export waiting or running (ids only, through a SECURITY DEFINER function). */
  async tenantsWithUnfinishedExports(): Promise<string[]> {
    const rows = await this.client.$queryRaw<{ id: string }[]>`SELECT app_tenants_with_unfinished_exports() AS id`;
    return rows.map((row) => row.id);
  }

  /** Keeps monthly audit partitions two months ahead (DDL through a SECURITY DEFINER function). */
  async ensureAuditPartitions(): Promise<number> {
    const [row] = await this.client.$queryRaw<{ created: number }[]>`SELECT audit_ensure_partitions(2) AS created`;
    return row?.created ?? 0;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}
