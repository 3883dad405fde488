import { Injectable } from '@nestjs/common';
import { status as GrpcStatus, type ServerWritableStream } from '@grpc/grpc-js';
import type { AppConfig } from '@meridian/config';
import { InjectConfig } from '../config/config.module';

/** Push streams (policy, desired state), and artifact downloads: held here so revocation ends them too. */
export type StreamKind = 'policy' | 'desired_state' | 'artifact';

interface OpenStream {
  kind: StreamKind;
  tenantId: string;
  siteId: string;
  call: ServerWritableStream<unknown, unknown>;
}

/** The server streams agents hold open on this replica, so they can be pushed to or cut. */
@Injectable()
export class StreamRegistry {
  private readonly byNode = new Map<string, Set<OpenStream>>();

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /**
   * Registers a stream until its call ends (cancelled, closed, finished or failed), then runs
   * `onRelease`. A node holds at most `maxStreamsPerNode` of each push kind here (and
   * `maxDownloadsPerNode` artifact downloads): beyond that the oldest is ended (UNAVAILABLE), so a
   * reconnect whose old half-open stream is not noticed yet still works, while a node (or a stolen
   * identity) opening streams in a loop holds a bounded number.
   */
  add(nodeId: string, stream: OpenStream, onRelease?: () => void): void {
    let set = this.byNode.get(nodeId);
    if (!set) {
      set = new Set();
      this.byNode.set(nodeId, set);
    }
    const sameKind = [...set].filter((s) => s.kind === stream.kind);
    const limit = stream.kind === 'artifact' ? this.config.agents.maxDownloadsPerNode : this.config.agents.maxStreamsPerNode;
    for (const old of sameKind.slice(0, Math.max(0, sameKind.length - limit + 1))) {
      set.delete(old);
      old.call.emit('error', { code: GrpcStatus.UNAVAILABLE, details: 'superseded by a newer stream of this node' });
    }
    set.add(stream);
    const release = () => {
      set.delete(stream);
      if (set.size === 0 && this.byNode.get(nodeId) === set) this.byNode.delete(nodeId);
      onRelease?.();
    };
    for (const event of ['cancelled', 'close', 'finish', 'error']) stream.call.once(event, release);
  }

  /** Ends every stream of a node with a status (e.g. PERMISSION_DENIED when it is revoked). */
  close(nodeId: string, code: GrpcStatus, details: string): number {
    const set = this.byNode.get(nodeId);
    if (!set) return 0;
    const streams = [...set];
    this.byNode.delete(nodeId);
    for (const stream of streams) stream.call.emit('error', { code, details });
    return streams.length;
  }

  /** Streams of one kind for the nodes of a site: where a new policy bundle goes. */
  forSite(tenantId: string, siteId: string, kind: StreamKind): { nodeId: string; call: ServerWritableStream<unknown, unknown> }[] {
    const out: { nodeId: string; call: ServerWritableStream<unknown, unknown> }[] = [];
    for (const [nodeId, set] of this.byNode) {
      for (const stream of set) if (stream.kind === kind && stream.tenantId === tenantId && stream.siteId === siteId) out.push({ nodeId, call: stream.call });
    }
    return out;
  }

  /** Streams of one kind held here for any of these nodes of a tenant. */
  forNodes(tenantId: string, nodeIds: readonly string[], kind: StreamKind): { nodeId: string; call: ServerWritableStream<unknown, unknown> }[] {
    const out: { nodeId: string; call: ServerWritableStream<unknown, unknown> }[] = [];
    for (const nodeId of nodeIds) {
      for (const stream of this.byNode.get(nodeId) ?? []) if (stream.kind === kind && stream.tenantId === tenantId) out.push({ nodeId, call: stream.call });
    }
    return out;
  }

  nodeIds(): string[] {
    return [...this.byNode.keys()];
  }

  counts(): Record<StreamKind, number> {
    const counts: Record<StreamKind, number> = { policy: 0, desired_state: 0, artifact: 0 };
    for (const set of this.byNode.values()) for (const stream of set) counts[stream.kind] += 1;
    return counts;
  }

  closeAll(details: string): void {
    for (const nodeId of this.nodeIds()) this.close(nodeId, GrpcStatus.UNAVAILABLE, details);
  }
}
