import { describe, expect, it } from 'vitest';
import { Prisma } from './generated/prisma/client';
import { isDatabaseUnavailable } from './unavailable';

const adapterError = (cause: Record<string, unknown>, code = 'P2010') =>
  new Prisma.PrismaClientKnownRequestError('query failed', { code, clientVersion: 'test', meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });

const pgError = (code: string, message = 'server error') => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('isDatabaseUnavailable', () => {
  it('knows a database that is down, going away or not back yet, in the shapes Prisma and pg give', () => {
    // As seen against a crashed server: Prisma with the adapter's verdict, and pg for a pooled connection that died idle.
    expect(isDatabaseUnavailable(adapterError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }, 'P1001'))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: 'ConnectionClosed' }))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: 'TooManyConnections', cause: 'sorry' }))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: 'postgres', code: '57P03', message: 'the database system is starting up' }))).toBe(true);
    expect(isDatabaseUnavailable(adapterError({ kind: 'postgres', code: '57P01', message: 'terminating connection due to administrator command' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }))).toBe(true);
    expect(isDatabaseUnavailable(pgError('08006', 'connection failure'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('57P02', 'terminating connection because of crash of another server process'))).toBe(true);
    // Wrapped by whoever caught it first.
    expect(isDatabaseUnavailable(new Error('could not store the batch', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
  });

  it('leaves statements that failed on their merits, and everything else, alone', () => {
    expect(isDatabaseUnavailable(adapterError({ kind: 'UniqueConstraintViolation', constraint: { fields: ['name'] } }, 'P2002'))).toBe(false);
    expect(isDatabaseUnavailable(adapterError({ kind: 'postgres', code: '42501', message: 'permission denied for table audit_events' }))).toBe(false);
    expect(isDatabaseUnavailable(adapterError({ kind: 'postgres', code: '23514', message: 'check constraint' }))).toBe(false);
    expect(isDatabaseUnavailable(adapterError({ kind: 'AuthenticationFailed', user: 'meridian_app' }))).toBe(false);
    expect(isDatabaseUnavailable(new Prisma.PrismaClientKnownRequestError('not found', { code: 'P2025', clientVersion: 'test' }))).toBe(false);
    expect(isDatabaseUnavailable(pgError('40001', 'could not serialize access'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(new Error('a message that merely mentions Connection terminated'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated unexpectedly')).toBe(false);
  });
});
