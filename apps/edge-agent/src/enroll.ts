import { status as GrpcStatus } from '@grpc/grpc-js';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { signEd25519 } from '@meridian/crypto';
import { enrollProofPayload } from '@meridian/protocol';
import { Backoff, sleep } from './backoff';
import type { AgentConfig } from './config';
import { isServiceError, type ControlPlaneClient } from './control-plane-client';
import { saveIdentity, type NodeIdentityFile } from './identity';

export class EnrollmentRefused extends Error {}

const PERMANENT = new Set([GrpcStatus.UNAUTHENTICATED, GrpcStatus.PERMISSION_DENIED, GrpcStatus.INVALID_ARGUMENT, GrpcStatus.ALREADY_EXISTS]);

/** Enrolls once: retries while the control plane is unreachable, gives up at once when it refuses. */
export async function enroll(
  config: AgentConfig,
  client: ControlPlaneClient,
  key: { privateKey: KeyObject; publicKey: Buffer },
  agentVersion: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<NodeIdentityFile | undefined> {
  const token = config.enrollmentToken;
  if (!token) throw new EnrollmentRefused('not enrolled yet and MERIDIAN_ENROLLMENT_TOKEN is not set');
  const backoff = new Backoff(config.backoff.initialMs, config.backoff.maxMs);
  while (!signal.aborted) {
    try {
      const response = await client.enroll({
        enrollmentToken: token,
        publicKey: key.publicKey,
        nodeName: config.nodeName,
        agentVersion,
        labels: config.labels,
        proof: signEd25519(key.privateKey, enrollProofPayload(token, key.publicKey)),
      });
      const identity = await saveIdentity(config.dataDir, response, config.controlPlane);
      logger.info({ nodeId: identity.nodeId, siteId: identity.siteId, country: identity.siteCountry }, 'enrolled');
      return identity;
    } catch (error) {
      if (isServiceError(error) && PERMANENT.has(error.code)) throw new EnrollmentRefused(`enrollment refused: ${GrpcStatus[error.code]} ${error.details}`);
      const wait = backoff.next();
      logger.warn({ err: isServiceError(error) ? error.details : String(error), retryInMs: wait }, 'control plane unreachable for enrollment; retrying');
      await sleep(wait, signal);
    }
  }
  return undefined;
}
