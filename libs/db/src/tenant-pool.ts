import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * The statements that fix a transaction's tenant, to be sent with its BEGIN. Bound to one pool, so
 * a transaction another client opens while `work` runs can never pick them up.
 */
export interface TenantPreamble {
  pool: TenantPool;
  sql: string;
  sent: boolean;
}

const pending = new AsyncLocalStorage<TenantPreamble>();

/**
 * A pg pool that sends a tenant transaction's BEGIN and its set_config(..., true) as one simple
 * query: the same statements in the same transaction, one round trip fewer on every tenant-scoped
 * call (a socket write and a wake-up on both sides, plus one pass through Prisma's raw-query path).
 * Only the BEGIN of a transaction started inside `withPreamble` is touched; any other first
 * statement is refused rather than run without its tenant.
 *
 * The preamble is found through the async context, which is sound for Prisma's interactive
 * transactions: `$transaction(fn)` calls the adapter's startTransaction, and so `connect`, from the
 * caller's own context. It is NOT sound for batch `$transaction([...])`: those start from Prisma's
 * query loader, in the context of whichever request flushed it (tried: under load a quarter of
 * the reads found no preamble of their own and failed, and one could take another's), so
 * withTenant only ever uses the interactive form.
 */
export class TenantPool extends pg.Pool {
  withPreamble<T>(sql: string, start: (preamble: TenantPreamble) => Promise<T>): Promise<T> {
    const preamble: TenantPreamble = { pool: this, sql, sent: false };
    return pending.run(preamble, () => start(preamble));
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback);
    const preamble = pending.getStore();
    if (!preamble || preamble.pool !== this || preamble.sent) return super.connect();
    return super.connect().then((client) => {
      preamble.sent = true;
      sendWithNextBegin(client, preamble.sql);
      return client;
    });
  }
}

function sendWithNextBegin(client: pg.PoolClient, sql: string): void {
  const query = client.query as (this: pg.PoolClient, ...args: unknown[]) => Promise<unknown>;
  const release = client.release;
  // Whatever happens first, the connection goes back to the pool as it came: a preamble left armed
  // on it would hand this tenant to the next transaction.
  const disarm = () => {
    delete (client as { query?: unknown }).query;
    client.release = release;
  };
  client.release = (...args: Parameters<pg.PoolClient['release']>) => {
    disarm();
    return release.apply(client, args);
  };
  client.query = function firstQuery(this: pg.PoolClient, config: unknown, ...rest: unknown[]) {
    disarm();
    if (config === 'BEGIN' && (rest[0] === undefined || (Array.isArray(rest[0]) && rest[0].length === 0))) return query.call(client, `BEGIN; ${sql}`, ...rest);
    if (typeof config === 'object' && config !== null && (config as { text?: unknown }).text === 'BEGIN' && !(config as { values?: unknown[] }).values?.length) {
      // Unnamed: a multi-statement text can only go as a simple query.
      return query.call(client, { ...(config as object), name: undefined, text: `BEGIN; ${sql}` }, ...rest);
    }
    return Promise.reject(new Error('tenant transaction: expected BEGIN as the first statement on the connection'));
  } as typeof client.query;
}
