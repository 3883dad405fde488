import type { Prisma, PrismaClient } from './generated/prisma/client';
import { poolOf } from './client';

export type TenantTx = Prisma.TransactionClient;

export interface TenantScope {
  tenantId: string;
  /** The person acting, when there is one; lets them read their own user row. */
  userId?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `work` in one transaction whose tenant is fixed for the database: set_config(..., true)
 * is transaction-local, so the setting can neither leak to the next user of the pooled connection
 * nor be forgotten on one query of the transaction. RLS then hides every other tenant's rows.
 *
 * With a client from createPrismaClient the set_config travels with the BEGIN (see TenantPool);
 * the ids are inlined as literals there, which is safe only because both are checked to be UUIDs.
 * Any other client, or a BEGIN that somehow went without it, gets the set_config as a statement.
 */
export async function withTenant<T>(
  client: PrismaClient,
  scope: TenantScope,
  work: (tx: TenantTx) => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  if (!UUID.test(scope.tenantId)) throw new Error(`withTenant: tenantId must be a UUID, got ${JSON.stringify(scope.tenantId)}`);
  if (scope.userId !== undefined && !UUID.test(scope.userId)) throw new Error('withTenant: userId must be a UUID');
  const transaction = (preamble?: { sent: boolean }) =>
    client.$transaction(
      async (tx) => {
        if (!preamble?.sent) {
          await tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.userId ?? ''}, true)`;
        }
        return work(tx);
      },
      { timeout: options.timeoutMs ?? 15_000, maxWait: 5_000 },
    );
  const pool = poolOf(client);
  if (!pool) return transaction();
  const sql = `SELECT set_config('app.tenant_id', '${scope.tenantId}', true), set_config('app.user_id', '${scope.userId ?? ''}', true)`;
  return pool.withPreamble(sql, transaction);
}
