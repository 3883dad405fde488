import type { SystemPrisma } from '../prisma/prisma.service';
import type { SessionRevocations } from './session-revocations';

/**
 * Ends a person's sessions in every tenant they belong to (all but `except`, the session asking):
 * their refresh tokens are revoked, and the sessions are ended in Redis so that their access tokens
 * stop working now rather than at expiry. Through the system connection: a tenant's sees its own.
 */
export async function endPersonSessions(system: SystemPrisma, sessions: SessionRevocations, userId: string, except?: string): Promise<void> {
  const where = { userId, revokedAt: null, ...(except ? { familyId: { not: except } } : {}) };
  const open = await system.client.refreshToken.findMany({ where, select: { familyId: true }, distinct: ['familyId'] });
  await system.client.refreshToken.updateMany({ where, data: { revokedAt: new Date() } });
  await Promise.all(open.map(({ familyId }) => sessions.end(familyId)));
}
