import { Injectable } from '@nestjs/common';
import { status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import { isSemver } from '@meridian/models';
import type { ArtifactChunk, FetchArtifactRequest } from '@meridian/protocol';
import { z } from 'zod';
import { InjectArtifactStore, type ArtifactStore } from '../models/artifact-store';
import { TenantPrisma } from '../prisma/prisma.service';
import type { NodeIdentity } from './agent-auth.service';
import { validateMessage } from './agent-messages';
import { AgentRpcError, notFound, permissionDenied } from './agent-rpc-error';
import { StreamRegistry } from './stream-registry';

/** Small enough to interleave with other streams on the connection, large enough to keep it busy. */
export const ARTIFACT_CHUNK_BYTES = 64 * 1024;

const fetchArtifactSchema = z.object({
  modelId: z.string().uuid('must be a model id'),
  version: z.string().refine(isSemver, 'must be a semantic version'),
  offset: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});

/**
 * FetchArtifact: a node may download only the version its desired state names, from any offset (a
 * broken download resumes). Chunks go out as fast as the client reads them: the server waits for
 * the stream to drain instead of buffering the artifact in memory. A running download is held in
 * the stream registry, so revoking the node ends it (PERMISSION_DENIED) like its other streams,
 * instead of letting a large artifact finish streaming to a node that is no longer trusted.
 */
@Injectable()
export class ArtifactDeliveryService {
  constructor(
    private readonly db: TenantPrisma,
    @InjectArtifactStore() private readonly store: ArtifactStore,
    private readonly streams: StreamRegistry,
  ) {}

  async deliver(node: NodeIdentity, call: ServerWritableStream<FetchArtifactRequest, ArtifactChunk>): Promise<void> {
    const request = validateMessage(fetchArtifactSchema, call.request);
    const artifact = await this.db.run({ tenantId: node.tenantId }, async (tx) => {
      const version = await tx.modelVersion.findFirst({ where: { modelId: request.modelId, version: request.version, status: 'published' } });
      if (!version?.artifactKey || version.artifactSize === null) throw notFound(`model ${request.modelId} has no published version ${request.version}`);
      const desired = await tx.nodeModel.findFirst({ where: { nodeId: node.nodeId, modelId: request.modelId }, select: { desiredVersion: true } });
      if (desired?.desiredVersion !== request.version) {
        throw permissionDenied(`version ${request.version} of model ${request.modelId} is not in this node's desired state${desired ? ` (desired: ${desired.desiredVersion})` : ''}`);
      }
      return { key: version.artifactKey, size: Number(version.artifactSize) };
    });
    if (request.offset > artifact.size) throw new AgentRpcError(GrpcStatus.OUT_OF_RANGE, `offset ${request.offset} is beyond the end of the artifact (${artifact.size} bytes)`);
    if ((await this.store.size(artifact.key)) !== artifact.size) throw new AgentRpcError(GrpcStatus.INTERNAL, 'the artifact is missing from the store; try again later');
    // Ended from outside: the client cancelled, or the registry ended it (revoked, superseded) with a status.
    let ended = call.cancelled;
    const end = () => (ended = true);
    for (const event of ENDING_EVENTS) call.once(event, end);
    this.streams.add(node.nodeId, { kind: 'artifact', tenantId: node.tenantId, siteId: node.siteId, call: call as ServerWritableStream<unknown, unknown> });
    try {
      await this.stream(call, artifact.key, artifact.size, request.offset, () => ended);
    } finally {
      for (const event of ENDING_EVENTS) call.off(event, end);
    }
  }

  private async stream(call: ServerWritableStream<FetchArtifactRequest, ArtifactChunk>, key: string, size: number, offset: number, ended: () => boolean): Promise<void> {
    let position = offset;
    if (position < size) {
      const source = this.store.read(key, offset, ARTIFACT_CHUNK_BYTES);
      const stop = () => source.destroy();
      for (const event of ENDING_EVENTS) call.on(event, stop);
      try {
        for await (const data of source as AsyncIterable<Buffer>) {
          if (ended()) return;
          const more = call.write({ offset: position, data, totalSize: size });
          position += data.length;
          if (!more) await drained(call);
        }
      } catch (error) {
        if (ended()) return; // the source was destroyed because the call ended: nothing failed
        throw error;
      } finally {
        for (const event of ENDING_EVENTS) call.off(event, stop);
        source.destroy();
      }
    }
    if (!ended()) call.end();
  }
}

const ENDING_EVENTS = ['cancelled', 'error', 'close'] as const;

function drained(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      for (const event of ENDING_EVENTS) call.off(event, done);
      resolve();
    };
    call.once('drain', done);
    for (const event of ENDING_EVENTS) call.once(event, done);
  });
}
