import { Injectable } from '@nestjs/common';
import { NodeStatus } from '@meridian/db';
import type { HeartbeatRequest, HeartbeatResponse } from '@meridian/protocol';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { heartbeatRequestSchema, validateMessage } from './agent-messages';

/** What nodes tell us about themselves: liveness and the versions they run. */
@Injectable()
export class NodeReportsService {
  constructor(
    private readonly db: TenantPrisma,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async heartbeat(node: NodeIdentity, message: HeartbeatRequest): Promise<HeartbeatResponse> {
    const report = validateMessage(heartbeatRequestSchema, message);
    await this.db.run({ tenantId: node.tenantId }, (tx) =>
      tx.edgeNode.updateMany({
        where: { id: node.nodeId, status: { not: NodeStatus.revoked } },
        data: {
          lastSeenAt: new Date(),
          status: NodeStatus.online,
          agentVersion: report.agentVersion || null,
          reported: {
            policyVersion: report.policyVersion,
            policyDigest: report.policyDigest,
            models: report.models,
            inference: report.inference ?? { requests: 0, errors: 0, denied: 0 },
            uptimeSeconds: report.uptimeSeconds,
            auditPendingEvents: report.auditPendingEvents,
          },
        },
      }),
    );
    return { serverTimeUnixMs: Date.now(), heartbeatIntervalSeconds: this.config.agents.heartbeatIntervalSeconds };
  }
}
