import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import type { AppConfig } from '@meridian/config';
import { compileSiteBundle, releasedHeads, releasesInForce, type PolicyHead, type Site, type TenantTx } from '@meridian/db';
import { GOVERNANCE_JOBS, QUEUES, type CompileBundlesPayload, type CompileBundlesResult } from '@meridian/jobs';
import { InjectConfig } from './config.module';
import { EventsService } from './events.service';
import { assertHandlersCover } from './housekeeping.processor';
import { keepJobScheduler } from './job-schedulers';
import { continueTrace } from '@meridian/telemetry';
import { TenantDb } from './tenant-db.service';

/** A release younger than this is left to the job its change enqueued; the sweep takes the rest. */
const SWEEP_SETTLE_SECONDS = 5;

/**
 * Compiles each affected site's policy, as its country's release puts it in force, into a signed
 * bundle and announces it, so the API replicas push it to the site's agents. Safe to retry and to
 * run twice: a site whose content did not change gets no new version, announcing an existing version
 * again only re-sends it, and compiles of one tenant take turns (a transaction-scoped advisory lock).
 * Every change that needs a compile leaves a pending release in PostgreSQL, so a job that Redis
 * lost is compiled by the sweep instead (a job scheduler registered again whenever Redis comes back).
 */
@Processor(QUEUES.governance, { concurrency: 4 })
export class GovernanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(GovernanceProcessor.name);
  readonly handlers: Record<string, (job: Job) => Promise<unknown>>;

  constructor(
    private readonly db: TenantDb,
    private readonly events: EventsService,
    @InjectConfig() private readonly config: AppConfig,
    @InjectQueue(QUEUES.governance) private readonly queue: Queue,
  ) {
    super();
    this.handlers = {
      [GOVERNANCE_JOBS.compileBundles]: (job) => this.compile(job.data as CompileBundlesPayload),
      [GOVERNANCE_JOBS.compilePending]: () => this.compilePending(),
    };
    assertHandlersCover(this.handlers, Object.values(GOVERNANCE_JOBS));
  }

  async onApplicationBootstrap(): Promise<void> {
    await keepJobScheduler(this.queue, 'policy-compile-pending', { every: this.config.policies.reconcileIntervalSeconds * 1000 }, { name: GOVERNANCE_JOBS.compilePending, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } }, this.logger);
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const data = job.data as { tenantId?: string; trace?: Record<string, string> };
    return continueTrace(data.trace, `job ${job.name}`, { 'messaging.destination.name': job.queueName, 'meridian.tenant_id': data.tenantId ?? '', 'meridian.job_id': String(job.id) }, () => handler(job));
  }

  private async compilePending(): Promise<{ tenants: number }> {
    const tenants = await this.db.tenantsWithPendingPolicyReleases(SWEEP_SETTLE_SECONDS);
    for (const tenantId of tenants) {
      try {
        await this.compile({ tenantId, siteIds: [], reason: 'pending', requestedBy: 'worker' });
      } catch (error) {
        // One tenant's failure must not hold back the others; its releases stay pending for the next sweep.
        this.logger.error({ tenantId, err: error instanceof Error ? error.message : String(error) }, 'pending policy releases not compiled');
      }
    }
    if (tenants.length) this.logger.warn({ tenants: tenants.length }, 'compiled policy releases still pending after their job should have run (lost with Redis, or late)');
    return { tenants: tenants.length };
  }

  /** The sites listed (all when none are) and every site of a country with a release pending. */
  private async compile(payload: CompileBundlesPayload): Promise<CompileBundlesResult> {
    const result = await this.db.run(payload.tenantId, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('meridian.policy-compile'), hashtext(${payload.tenantId}))`;
      const pending = await tx.policyRelease.findMany({ where: { compiledAt: null }, select: { id: true, country: true } });
      const pendingCountries = [...new Set(pending.map((release) => release.country))];
      const sites = await tx.site.findMany({
        where: payload.siteIds ? { OR: [{ id: { in: payload.siteIds } }, { country: { in: pendingCountries } }] } : {},
        orderBy: { createdAt: 'asc' },
      });
      const inForce = await releasesInForce(tx);
      const headsOf = new Map<string, Promise<Map<string, PolicyHead>>>();
      const published: { siteId: string; version: number }[] = [];
      for (const site of sites) {
        const release = inForce.get(site.country);
        if (!release) continue; // nothing published for its country yet
        if (!headsOf.has(site.country)) headsOf.set(site.country, releasedHeads(tx, release));
        published.push(...(await this.compileSite(tx, site, await headsOf.get(site.country)!)));
      }
      if (pending.length) await tx.policyRelease.updateMany({ where: { id: { in: pending.map((release) => release.id) } }, data: { compiledAt: new Date() } });
      return { sites: sites.length, published };
    });
    // After commit: agents must never be told of a bundle that a rollback could still erase.
    for (const item of result.published) await this.events.policyBundle({ tenantId: payload.tenantId, ...item });
    this.logger.log({ tenantId: payload.tenantId, reason: payload.reason, ...result }, 'bundles compiled');
    return result;
  }

  private async compileSite(tx: TenantTx, site: Site, heads: Map<string, PolicyHead>) {
    const published: { siteId: string; version: number }[] = [];
    // Usually one bundle; after a key rotation two: one signed with the old key announcing the new
    // one, then the first signed with the new key.
    for (let round = 0; round < 3; round += 1) {
      const bundle = await compileSiteBundle(tx, site, heads, this.config.keys.encryptionKey);
      if (!bundle) break;
      published.push({ siteId: site.id, version: bundle.version });
    }
    return published;
  }
}
