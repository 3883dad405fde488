import { Injectable, Logger } from '@nestjs/common';
import { sha256Hex, verifyEd25519 } from '@meridian/crypto';
import { EnrollmentTokenStatus, NodeStatus, Prisma } from '@meridian/db';
import { enrollProofPayload, type EnrollRequest, type EnrollResponse } from '@meridian/protocol';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';
import { SystemPrisma, TenantPrisma } from '../prisma/prisma.service';
import { SigningKeysService } from '../tenancy/signing-keys.service';
import { AgentRpcError, unauthenticated } from './agent-rpc-error';
import { enrollRequestSchema, validateMessage } from './agent-messages';
import { EnrollmentRateLimiter } from './enrollment-rate-limiter';
import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Turns a single-use enrollment token plus a node-generated public key into a node identity.
 * The token is claimed with a conditional update inside the transaction that creates the node,
 * so two agents racing with one token cannot both enroll.
 */
@Injectable()
export class EnrollmentService {
  private readonly logger = new Logger(EnrollmentService.name);

  constructor(
    private readonly system: SystemPrisma,
    private readonly db: TenantPrisma,
    private readonly signingKeys: SigningKeysService,
    private readonly limiter: EnrollmentRateLimiter,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * `peer` is the caller's address: each attempt reserves a try from its bucket up front and gets it
   * back unless it failed as a guess would (see EnrollmentRateLimiter).
   */
  async enroll(message: EnrollRequest, peer: string): Promise<EnrollResponse> {
    await this.limiter.reserve(peer);
    let result: EnrollResponse;
    try {
      result = await this.attempt(message);
    } catch (error) {
      // A refused token or proof, or a malformed request, is what a guesser produces: it keeps the try.
      // A node-name clash or an outage is not: the try is given back.
      if (!(error instanceof AgentRpcError && (error.code === GrpcStatus.UNAUTHENTICATED || error.code === GrpcStatus.INVALID_ARGUMENT))) {
        await this.limiter.refund(peer);
      }
      throw error;
    }
    await this.limiter.refund(peer);
    return result;
  }

  private async attempt(message: EnrollRequest): Promise<EnrollResponse> {
    const request = validateMessage(enrollRequestSchema, message);
    if (!verifyEd25519(request.publicKey, enrollProofPayload(request.enrollmentToken, request.publicKey), request.proof)) {
      throw unauthenticated('proof of possession does not match the public key');
    }
    // Pre-tenant lookup: the token is what tells us the tenant.
    const token = await this.system.client.enrollmentToken.findUnique({
      where: { tokenHash: sha256Hex(request.enrollmentToken) },
      select: { id: true, tenantId: true, siteId: true, status: true, expiresAt: true },
    });
    if (!token) throw unauthenticated('unknown enrollment token');
    if (token.status === EnrollmentTokenStatus.used) throw unauthenticated('enrollment token was already used');
    if (token.status === EnrollmentTokenStatus.revoked) throw unauthenticated('enrollment token was revoked');
    if (token.status === EnrollmentTokenStatus.expired || token.expiresAt <= new Date()) throw unauthenticated('enrollment token has expired');

    const now = new Date();
    return this.db.run({ tenantId: token.tenantId }, async (tx) => {
      const claimed = await tx.enrollmentToken.updateMany({
        where: { id: token.id, status: EnrollmentTokenStatus.active, expiresAt: { gt: now } },
        data: { status: EnrollmentTokenStatus.used, usedAt: now },
      });
      if (claimed.count !== 1) throw unauthenticated('enrollment token was already used');
      const site = await tx.site.findFirstOrThrow({ where: { id: token.siteId } });
      let node;
      try {
        node = await tx.edgeNode.create({
          data: {
            tenantId: token.tenantId,
            siteId: site.id,
            name: request.nodeName,
            labels: request.labels,
            status: NodeStatus.online,
            publicKey: Buffer.from(request.publicKey).toString('base64'),
            agentVersion: request.agentVersion || null,
            enrolledAt: now,
            lastSeenAt: now,
          },
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new AgentRpcError(GrpcStatus.ALREADY_EXISTS, `a node named "${request.nodeName}" already exists on this site`);
        }
        throw error;
      }
      await tx.enrollmentToken.update({ where: { id: token.id }, data: { usedByNodeId: node.id } });
      await this.signingKeys.activeKey(tx, token.tenantId);
      const keys = await this.signingKeys.publicKeys(tx);
      this.logger.log({ nodeId: node.id, tenantId: token.tenantId, siteId: site.id }, 'node enrolled');
      return {
        nodeId: node.id,
        tenantId: token.tenantId,
        siteId: site.id,
        siteCountry: site.country,
        policySigningKeys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
        heartbeatIntervalSeconds: this.config.agents.heartbeatIntervalSeconds,
      };
    });
  }
}
