import { Injectable } from '@nestjs/common';
import { SystemPrisma } from '../prisma/prisma.service';
import { SessionRevocations } from './session-revocations';

/**
 * What spans a person's tenants: their sessions, and whether they belong anywhere else. Through the
 * system connection (a tenant's connection sees its own memberships and sessions only); kept here,
 * with authentication, so that tenant services never hold that connection themselves.
 */
@Injectable()
export class PersonSessions {
  constructor(
    private readonly system: SystemPrisma,
    private readonly sessions: SessionRevocations,
  ) {}

  /**
   * Ends the person's sessions in every tenant (all but `except`, the session asking): their refresh
   * tokens are revoked and the sessions ended in Redis, so their access tokens stop working now.
   */
  async endAll(userId: string, except?: string): Promise<void> {
    const where = { userId, revokedAt: null, ...(except ? { familyId: { not: except } } : {}) };
    const open = await this.system.client.refreshToken.findMany({ where, select: { familyId: true }, distinct: ['familyId'] });
    await this.system.client.refreshToken.updateMany({ where, data: { revokedAt: new Date() } });
    await Promise.all(open.map(({ familyId }) => this.sessions.end(familyId)));
  }

  /** Whether the person has access beyond one tenant: memberships elsewhere, or platform admin. */
  async reachesBeyondOneTenant(userId: string): Promise<boolean> {
    const account = await this.system.client.user.findUnique({ where: { id: userId }, select: { isPlatformAdmin: true, _count: { select: { memberships: true } } } });
    return !account || account.isPlatformAdmin || account._count.memberships > 1;
  }
}
