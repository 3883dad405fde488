import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { AppConfig } from '@meridian/config';
import { compileSiteBundle, policyHeads } from '@meridian/db';
import { GOVERNANCE_JOBS, QUEUES, type CompileBundlesPayload, type CompileBundlesResult } from '@meridian/jobs';
import { InjectConfig } from './config.module';
import { EventsService } from './events.service';
import { assertHandlersCover } from './housekeeping.processor';
import { continueTrace } from '@meridian/telemetry';
import { TenantDb } from './tenant-db.service';

/**
 * Compiles the effective policy of each affected site into a signed bundle and announces it, so the
 * API replicas push it to the site's agents. Safe to retry: a site whose content did not change
 * gets no new version, and announcing an existing version again only re-sends it.
 */
@Processor(QUEUES.governance, { concurrency: 4 })
export class GovernanceProcessor extends WorkerHost {
  private readonly logger = new Logger(GovernanceProcessor.name);
  readonly handlers: Record<string, (job: Job) => Promise<unknown>>;

  constructor(
    private readonly db: TenantDb,
    private readonly events: EventsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    super();
    this.handlers = { [GOVERNANCE_JOBS.compileBundles]: (job) => this.compile(job.data as CompileBundlesPayload) };
    assertHandlersCover(this.handlers, Object.values(GOVERNANCE_JOBS));
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const data = job.data as { tenantId?: string; trace?: Record<string, string> };
    return continueTrace(data.trace, `job ${job.name}`, { 'messaging.destination.name': job.queueName, 'meridian.tenant_id': data.tenantId ?? '', 'meridian.job_id': String(job.id) }, () => handler(job));
  }

  private async compile(payload: CompileBundlesPayload): Promise<CompileBundlesResult> {
    const result = await this.db.run(payload.tenantId, async (tx) => {
      const heads = await policyHeads(tx);
      const sites = await tx.site.findMany({ where: payload.siteIds ? { id: { in: payload.siteIds } } : {}, orderBy: { createdAt: 'asc' } });
      const published: { siteId: string; version: number }[] = [];
      for (const site of sites) {
        // Usually one bundle; after a key rotation two: one signed with the old key announcing the
        // new one, then the first signed with the new key.
        for (let round = 0; round < 3; round += 1) {
          const bundle = await compileSiteBundle(tx, site, heads, this.config.keys.encryptionKey);
          if (!bundle) break;
          published.push({ siteId: site.id, version: bundle.version });
        }
      }
      return { sites: sites.length, published };
    });
    // After commit: agents must never be told of a bundle that a rollback could still erase.
    for (const item of result.published) await this.events.policyBundle({ tenantId: payload.tenantId, ...item });
    this.logger.log({ tenantId: payload.tenantId, reason: payload.reason, ...result }, 'bundles compiled');
    return result;
  }
}
