import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { createPrismaClient, withTenant, type PrismaClient, type TenantTx } from '@meridian/db';
import { InjectConfig } from '../config/config.module';

export interface TenantContext {
  tenantId: string;
  userId?: string | undefined;
}

/**
 * Database access on behalf of a tenant, as the RLS-bound role. The only way in is `run`, which
 * opens a transaction with the tenant set; a query without it would see no rows at all.
 */
@Injectable()
export class TenantPrisma implements OnModuleDestroy {
  private readonly client: PrismaClient;

  constructor(@InjectConfig() config: AppConfig) {
    this.client = createPrismaClient({ url: config.database.appUrl, poolSize: config.database.poolSize, applicationName: 'meridian-api' });
  }

  /** `timeoutMs` only for the few bulk operations (planning a rollout over thousands of nodes). */
  run<T>(context: TenantContext, work: (tx: TenantTx) => Promise<T>, timeoutMs?: number): Promise<T> {
    return withTenant(this.client, { tenantId: context.tenantId, userId: context.userId }, work, timeoutMs ? { timeoutMs } : {});
  }

  /** Rollout node counts by state over all tenants, through a SECURITY DEFINER function that names no tenant (for /metrics). */
  async rolloutMetrics(): Promise<{ nodes: { state: string; count: number }[]; rollouts: { status: string; count: number }[] }> {
    const [nodes, rollouts] = await Promise.all([
      this.client.$queryRaw<{ state: string; nodes: bigint }[]>`SELECT state, nodes FROM app_rollout_node_state_counts()`,
      this.client.$queryRaw<{ status: string; rollouts: bigint }[]>`SELECT status, rollouts FROM app_rollout_status_counts()`,
    ]);
    return {
      nodes: nodes.map((row) => ({ state: row.state, count: Number(row.nodes) })),
      rollouts: rollouts.map((row) => ({ status: row.status, count: Number(row.rollouts) })),
    };
  }

  async ping(): Promise<void> {
    await this.client.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}

/**
 * The owner connection, which RLS does not bind. Reserved for what must happen before a tenant is
 * known (login, token and API-key lookups) and for platform administration. A test fails if any
 * other module injects it.
 */
@Injectable()
export class SystemPrisma implements OnModuleDestroy {
  readonly client: PrismaClient;

  constructor(@InjectConfig() config: AppConfig) {
    this.client = createPrismaClient({ url: config.database.ownerUrl, poolSize: 3, applicationName: 'meridian-api-system' });
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}
